package org.attune.equivariance.graph;

import java.util.SplittableRandom;

import org.attune.api.equivariance.IrrepAlgebra;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.attune.symmetry.e3.RealIrrepAlgebra;

/**
 * What the steerable methods' tests share: the symmetry bundle's {@link IrrepAlgebra} constructed directly,
 * Haar rotations, and the group action on packed irreps (D^l(R) on every channel of degree l), in float64.
 */
final class SteerableFixtures {
    static final IrrepAlgebra ALGEBRA = new RealIrrepAlgebra();

    private SteerableFixtures() {
    }

    /** A Haar-random rotation (unit quaternion from four Gaussians), 3×3 row-major. */
    static double[] rotation(SplittableRandom r) {
        double[] q = new double[4];
        double n = 0;
        for (int i = 0; i < 4; i++) {
            q[i] = Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
            n += q[i] * q[i];
        }
        n = Math.sqrt(n);
        double w = q[0] / n;
        double x = q[1] / n;
        double y = q[2] / n;
        double z = q[3] / n;
        return new double[] {
            1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
            2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
            2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)};
    }

    static Tensor uniform(SplittableRandom r, int... shape) {
        Tensor t = Tensor.zeros(DType.FLOAT64, shape);
        for (int i = 0; i < t.size(); i++) {
            t.setFlat(i, r.nextDouble(-1, 1));
        }
        return t;
    }

    /** R·x + t on the rows of x [nodes, 3]. */
    static Tensor move(Tensor x, double[] rot, double[] shift) {
        Tensor out = Tensor.zeros(DType.FLOAT64, x.dim(0), 3);
        for (int i = 0; i < x.dim(0); i++) {
            for (int a = 0; a < 3; a++) {
                double s = shift[a];
                for (int b = 0; b < 3; b++) {
                    s += rot[3 * a + b] * x.get(i, b);
                }
                out.set(s, i, a);
            }
        }
        return out;
    }

    /** D(R) on features [nodes, channels] packed in the given layout. */
    static Tensor rotate(Tensor feats, IrrepLayout layout, double[] rot) {
        double[][][][] h = layout.unpack(feats);
        for (double[][][] node : h) {
            rotate(node, rot);
        }
        return layout.pack(h, DType.FLOAT64);
    }

    /** D(R) on the features of one node, in place. */
    static void rotate(double[][][] node, double[] rot) {
        for (int l = 0; l < node.length; l++) {
            double[] d = ALGEBRA.wignerD(l, rot);
            for (int c = 0; c < node[l].length; c++) {
                node[l][c] = times(d, node[l][c]);
            }
        }
    }

    static double[] times(double[] d, double[] v) {
        int n = v.length;
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                out[i] += d[i * n + j] * v[j];
            }
        }
        return out;
    }

    /** max |a − b| / max(1, max |b|). */
    static double error(Tensor a, Tensor b) {
        double scale = 1;
        double err = 0;
        for (int i = 0; i < b.size(); i++) {
            scale = Math.max(scale, Math.abs(b.getFlat(i)));
            err = Math.max(err, Math.abs(a.getFlat(i) - b.getFlat(i)));
        }
        return err / scale;
    }

    /** max |a − b| / max(1, max |b|) for features per node. */
    static double error(double[][][][] a, double[][][][] b) {
        double scale = 1;
        double err = 0;
        for (int i = 0; i < b.length; i++) {
            for (int l = 0; l < b[i].length; l++) {
                for (int c = 0; c < b[i][l].length; c++) {
                    for (int m = 0; m < b[i][l][c].length; m++) {
                        scale = Math.max(scale, Math.abs(b[i][l][c][m]));
                        err = Math.max(err, Math.abs(a[i][l][c][m] - b[i][l][c][m]));
                    }
                }
            }
        }
        return err / scale;
    }
}
