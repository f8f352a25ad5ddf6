package org.attune.symmetry.e3;

import org.attune.api.tensor.InvalidInputException;

/**
 * A product quadrature on the unit sphere S²: Gauss–Legendre nodes z_i with weights w_i in cos θ, times
 * equally spaced longitudes φ_j = 2πj/M with weights 2π/M, so that
 * <pre>
 *   ∫_{S²} f dΩ ≈ Σ_ij w_i (2π/M) f(√(1 − z_i²) cos φ_j, √(1 − z_i²) sin φ_j, z_i)
 * </pre>
 * exactly for every polynomial of degree ≤ min(2K − 1, M − 1) restricted to the sphere (K latitude nodes):
 * Gauss–Legendre is exact in z to degree 2K − 1 and the trapezoid rule in φ to frequency M − 1. The weights
 * sum to 4π.
 */
public final class SphereGrid {
    private final double[][] points;
    private final double[] weights;

    private SphereGrid(double[][] points, double[] weights) {
        this.points = points;
        this.weights = weights;
    }

    /** The smallest grid of this form exact for polynomials of degree ≤ {@code degree}: K = ⌈(d+1)/2⌉, M = d+1. */
    public static SphereGrid exactFor(int degree) {
        if (degree < 0) {
            throw new InvalidInputException("degree", "expected >= 0, got " + degree);
        }
        return of((degree + 2) / 2, degree + 1);
    }

    /** A grid of {@code latitudes} Gauss–Legendre nodes times {@code longitudes} equally spaced angles. */
    public static SphereGrid of(int latitudes, int longitudes) {
        if (latitudes < 1 || longitudes < 1) {
            throw new InvalidInputException(latitudes < 1 ? "latitudes" : "longitudes", "expected >= 1");
        }
        double[][] gl = gaussLegendre(latitudes);
        double[][] points = new double[latitudes * longitudes][];
        double[] weights = new double[latitudes * longitudes];
        for (int i = 0; i < latitudes; i++) {
            double z = gl[0][i];
            double s = Math.sqrt(Math.max(0, 1 - z * z));
            for (int j = 0; j < longitudes; j++) {
                double phi = 2 * Math.PI * j / longitudes;
                points[i * longitudes + j] = new double[] {s * Math.cos(phi), s * Math.sin(phi), z};
                weights[i * longitudes + j] = gl[1][i] * 2 * Math.PI / longitudes;
            }
        }
        return new SphereGrid(points, weights);
    }

    /** Number of points. */
    public int size() {
        return weights.length;
    }

    /** Point i, a unit 3-vector (a copy). */
    public double[] point(int i) {
        return points[i].clone();
    }

    /** Weight of point i. */
    public double weight(int i) {
        return weights[i];
    }

    /** Σ_i weight(i)·f(point(i)). */
    public double integrate(java.util.function.ToDoubleFunction<double[]> f) {
        double s = 0;
        for (int i = 0; i < weights.length; i++) {
            s += weights[i] * f.applyAsDouble(points[i].clone());
        }
        return s;
    }

    /** Nodes (row 0) and weights (row 1) of K-point Gauss–Legendre on [−1, 1], by Newton's method on P_K. */
    static double[][] gaussLegendre(int k) {
        double[] x = new double[k];
        double[] w = new double[k];
        for (int i = 0; i < k; i++) {
            double z = Math.cos(Math.PI * (i + 0.75) / (k + 0.5));
            double dp = 0;
            for (int iter = 0; iter < 100; iter++) {
                double p0 = 1;
                double p1 = z;
                for (int n = 2; n <= k; n++) {
                    double p2 = ((2 * n - 1) * z * p1 - (n - 1) * p0) / n;
                    p0 = p1;
                    p1 = p2;
                }
                double pk = k == 1 ? z : p1;
                double pkm1 = k == 1 ? 1 : p0;
                dp = k * (z * pk - pkm1) / (z * z - 1);
                double dz = pk / dp;
                z -= dz;
                if (Math.abs(dz) < 1e-16) {
                    break;
                }
            }
            x[i] = z;
            w[i] = 2 / ((1 - z * z) * dp * dp);
        }
        return new double[][] {x, w};
    }
}
