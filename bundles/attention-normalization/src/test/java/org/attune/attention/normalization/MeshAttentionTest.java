package org.attune.attention.normalization;

import static org.attune.attention.core.Float64Reference.array;
import static org.attune.attention.core.Float64Reference.dotScores;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.attune.attention.core.AttentionContract;
import org.attune.attention.core.Fixtures;
import org.junit.jupiter.api.Test;

class MeshAttentionTest extends AttentionContract {

    @Override
    protected AttentionMechanism method() {
        return new MeshAttention();
    }

    /** The contract's symmetry holds without the tie-breaking perturbation. */
    @Override
    protected AttentionCall call(Tensor q, Tensor k, Tensor v) {
        return super.call(q, k, v).withParam("perturbation", "0");
    }

    @Override
    protected boolean acceptsMasks() {
        return false;
    }

    /**
     * davzha/MESH mesh.py, transcribed, with the entropy gradient by central finite differences (h = 1e-5) instead
     * of autograd, so the analytic reverse mode under test is checked independently.
     */
    static double[][][][] reference(double[][][][] q, double[][][][] k, double[][][][] v, double scale, int n, int m,
                                    double lr, double tau, double perturbation, long seed) {
        double[][][][] s = dotScores(q, k, scale, null);
        SplittableRandom random = new SplittableRandom(seed);
        for (double[][][] sb : s) {
            for (int h = 0; h < sb.length; h++) {
                sb[h] = plan(sb[h], n, m, lr, tau, perturbation, random);
            }
        }
        return NormalizationReference.values(s, v);
    }

    private static double[][] plan(double[][] s, int n, int m, double lr, double tau, double perturbation,
                                   SplittableRandom random) {
        int slots = s.length, inputs = s[0].length;
        double[][] c = new double[inputs][slots];
        for (int k = 0; k < slots; k++) {
            for (int i = 0; i < inputs; i++) {
                double xi = Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
                c[i][k] = -s[k][i] + perturbation * xi;
            }
        }
        double[] u = new double[inputs];
        double[] v = new double[slots];
        for (int t = 0; t < m; t++) {
            double[][] g = new double[inputs][slots];
            double norm = 0;
            for (int i = 0; i < inputs; i++) {
                for (int k = 0; k < slots; k++) {
                    double keep = c[i][k];
                    c[i][k] = keep + 1e-5;
                    double plus = entropy(sinkhorn(c, u, v, n, 1).t());
                    c[i][k] = keep - 1e-5;
                    double minus = entropy(sinkhorn(c, u, v, n, 1).t());
                    c[i][k] = keep;
                    g[i][k] = (plus - minus) / 2e-5 + 1e-20;
                    norm += g[i][k] * g[i][k];
                }
            }
            Plan p = sinkhorn(c, u, v, n, 1);
            norm = Math.max(Math.sqrt(norm), 1e-12);
            for (int i = 0; i < inputs; i++) {
                for (int k = 0; k < slots; k++) {
                    c[i][k] -= lr * g[i][k] / norm;
                }
            }
            u = p.u();
            v = p.v();
        }
        double[][] t = sinkhorn(c, u, v, n, tau).t();
        double[][] w = new double[slots][inputs];
        for (int i = 0; i < inputs; i++) {
            for (int k = 0; k < slots; k++) {
                w[k][i] = t[i][k];
            }
        }
        return w;
    }

    record Plan(double[][] t, double[] u, double[] v) {
    }

    /** mesh.py sinkhorn: a_i = S/N, b_k = 1, p = −C/τ. */
    private static Plan sinkhorn(double[][] c, double[] u0, double[] v0, int n, double tau) {
        int inputs = c.length, slots = c[0].length;
        double[] u = u0.clone();
        double[] v = v0.clone();
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < inputs; i++) {
                double sum = 0;
                for (int k = 0; k < slots; k++) {
                    sum += Math.exp(-c[i][k] / tau + v[k]);
                }
                u[i] = Math.log((double) slots / inputs) - Math.log(sum);
            }
            for (int k = 0; k < slots; k++) {
                double sum = 0;
                for (int i = 0; i < inputs; i++) {
                    sum += Math.exp(-c[i][k] / tau + u[i]);
                }
                v[k] = -Math.log(sum);
            }
        }
        double[][] t = new double[inputs][slots];
        for (int i = 0; i < inputs; i++) {
            for (int k = 0; k < slots; k++) {
                t[i][k] = Math.exp(-c[i][k] / tau + u[i] + v[k]);
            }
        }
        return new Plan(t, u, v);
    }

    /** Mean of entr(clamp(T, 1e-20, 1)). */
    private static double entropy(double[][] t) {
        double sum = 0;
        for (double[] row : t) {
            for (double x : row) {
                double y = Math.min(Math.max(x, 1e-20), 1);
                sum -= y * Math.log(y);
            }
        }
        return sum / (t.length * t[0].length);
    }

    @Test
    void matchesTheFiniteDifferenceTranscriptionOfTheAuthorsCode() {
        for (DType dtype : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            Fixtures f = new Fixtures(120);
            Tensor q = f.uniform(dtype, 1, 2, 2, 5, 4);
            Tensor k = f.uniform(dtype, 1, 2, 1, 9, 4);
            Tensor v = f.uniform(dtype, 1, 2, 1, 9, 3);
            Tensor out = method().attend(AttentionCall.of(q, k, v).withParam("seed", "5").withParam("perturbation", "0.01")
                .withParam("temperature", "0.5").withParam("lr", "2"), Fixtures.BACKEND);
            double[][][][] ref = reference(array(q), array(k), array(v), 0.5, 5, 4, 2, 0.5, 0.01, 5);
            // the finite-difference gradient (truncation ~h²) bounds the agreement near 1e-9; float32 inputs are exact
            // in float64 and the plan is computed in float64, so only the final products round
            double tolerance = dtype == DType.FLOAT64 ? 1e-7 : 1e-5;
            for (int h = 0; h < 2; h++) {
                for (int s = 0; s < 5; s++) {
                    for (int e = 0; e < 3; e++) {
                        assertEquals(ref[0][h][s][e], out.get(0, h, s, e), tolerance, dtype + " h" + h + " s" + s);
                    }
                }
            }
        }
    }

    @Test
    void slotWeightsSumToOneAndInputsApproachTheirMarginal() {
        Fixtures f = new Fixtures(121);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 1, 4, 5);
        Tensor k = f.uniform(DType.FLOAT64, 1, 1, 1, 10, 5);
        Tensor w = run(call(q, k, NormalizationReference.oneHotValues(DType.FLOAT64, 1, 1, 10))
            .withParam("iterations", "200").withParam("mesh-iterations", "0"));
        double[] inputMass = new double[10];
        for (int s = 0; s < 4; s++) {
            double sum = 0;
            for (int i = 0; i < 10; i++) {
                assertTrue(w.get(0, 0, s, i) >= 0);
                sum += w.get(0, 0, s, i);
                inputMass[i] += w.get(0, 0, s, i);
            }
            assertEquals(1, sum, 1e-12);
        }
        for (double a : inputMass) {
            assertEquals(0.4, a, 1e-12);
        }
    }

    @Test
    void entropyDescentLowersThePlanEntropyBelowPlainSinkhorn() {
        Fixtures f = new Fixtures(122);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 1, 5, 4);
        Tensor k = f.uniform(DType.FLOAT64, 1, 1, 1, 8, 4);
        Tensor onehot = NormalizationReference.oneHotValues(DType.FLOAT64, 1, 1, 8);
        double plain = planEntropy(run(call(q, k, onehot).withParam("mesh-iterations", "0")));
        double mesh = planEntropy(run(call(q, k, onehot)));
        assertTrue(mesh < plain, mesh + " < " + plain);
    }

    @Test
    void identicalSlotsAreSeparatedOnlyWithThePerturbation() {
        Fixtures f = new Fixtures(123);
        Tensor q = f.uniform(DType.FLOAT64, 1, 1, 1, 3, 4);
        for (int e = 0; e < 4; e++) {
            q.set(q.get(0, 0, 0, e), 0, 0, 1, e);
        }
        Tensor k = f.uniform(DType.FLOAT64, 1, 1, 1, 8, 4);
        Tensor v = f.uniform(DType.FLOAT64, 1, 1, 1, 8, 3);
        Tensor tied = run(call(q, k, v));
        Tensor sinkhorn = run(call(q, k, v).withParam("mesh-iterations", "0").withParam("perturbation", "0.001"));
        Tensor mesh = run(call(q, k, v).withParam("perturbation", "0.001"));
        double meshGap = 0;
        for (int e = 0; e < 3; e++) {
            assertEquals(tied.get(0, 0, 0, e), tied.get(0, 0, 1, e), 1e-15);
            assertEquals(sinkhorn.get(0, 0, 0, e), sinkhorn.get(0, 0, 1, e), 1e-2);
            meshGap = Math.max(meshGap, Math.abs(mesh.get(0, 0, 0, e) - mesh.get(0, 0, 1, e)));
        }
        double sinkhornGap = 0;
        for (int e = 0; e < 3; e++) {
            sinkhornGap = Math.max(sinkhornGap, Math.abs(sinkhorn.get(0, 0, 0, e) - sinkhorn.get(0, 0, 1, e)));
        }
        assertTrue(meshGap > 10 * sinkhornGap, meshGap + " vs " + sinkhornGap);
    }

    @Test
    void badOptionsAreNamed() {
        Tensor x = Tensor.zeros(DType.FLOAT32, 1, 2, 3, 4);
        assertArgument("--opt iterations", () -> run(call(x, x, x).withParam("iterations", "0")));
        assertArgument("--opt mesh-iterations", () -> run(call(x, x, x).withParam("mesh-iterations", "-1")));
        assertArgument("--opt temperature", () -> run(call(x, x, x).withParam("temperature", "0")));
        assertArgument("--opt lr", () -> run(call(x, x, x).withParam("lr", "NaN")));
    }

    private static double planEntropy(Tensor w) {
        double h = 0;
        for (int i = 0; i < w.size(); i++) {
            double x = w.getFlat(i);
            h -= x > 0 ? x * Math.log(x) : 0;
        }
        return h;
    }
}
