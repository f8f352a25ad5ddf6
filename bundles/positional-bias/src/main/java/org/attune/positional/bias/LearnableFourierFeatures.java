package org.attune.positional.bias;

import java.nio.file.Path;
import java.util.SplittableRandom;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.UnaryOp;
import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.PositionalEncodingMethod;
import org.attune.api.position.PositionalResult;
import org.attune.api.position.SymmetryCertificate;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Learnable Fourier features of the position, passed through an MLP and added to the token embeddings. Li et al.,
 * "Learnable Fourier Features for Multi-Dimensional Spatial Positional Encoding", arXiv:2106.02795, Algorithm 1,
 * eqs. (2) and (6).
 * <pre>
 *   x ∈ R^M:  M = 1, x = (p);  with width W, M = 2, x = (⌊p/W⌋, p mod W)   (row and column of a row-major grid)
 *   r(x) = (1/√F)·[cos(x W_rᵀ) ; sin(x W_rᵀ)],   W_r ∈ R^{F/2 × M}                                  (2)
 *   PE(x) = GELU(r(x) W₁ + b₁) W₂ + b₂,   W₁ ∈ R^{F × Hd},  W₂ ∈ R^{Hd × E},  GELU exact (x·Φ(x))     (6)
 *   r(x)·r(y) = (1/F) Σₖ cos(wₖ·(x − y)),   ‖r(x)‖² = 1/2
 * </pre>
 * W_r is drawn with standard deviation γ⁻²: the paper writes W_r ~ N(0, γ⁻²), and its Algorithm 1 transcriptions
 * (e.g. the {@code LearnableFourierPositionalEncoding} modules that cite Algorithm 1) call
 * {@code nn.init.normal_(Wr.weight, mean=0, std=gamma ** -2)}, so γ⁻² is the standard deviation there, and here.
 * For large F, r(x)·r(y) → ½·exp(−‖x − y‖²/(2γ⁴)). The MLP is seeded like PyTorch's {@code nn.Linear}:
 * weights and biases U(−1/√fan_in, 1/√fan_in); W_r, W₁, b₁, W₂, b₂ are drawn in that order from one
 * {@code SplittableRandom(seed)} unless read from files. With {@code mlp=none} r(x) itself (F = E) is added,
 * each (cos, sin) pair in adjacent channels so that each head sees whole pairs and its inner products stay
 * relative; with the MLP the layout is the paper's [cos ; sin], so that trained weights load as they are.
 * q [B, H, Nq, D], k [B, Hkv, Nk, D] of equal embedding width E = H·D → q + PE, k + PE.
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "learnable-fourier", name = "Learnable Fourier Features", family = "absolute",
    paper = "Learnable Fourier Features for Multi-Dimensional Spatial Positional Encoding", arxiv = "2106.02795",
    year = 2021,
    options = {"gamma=γ: W_r is drawn with standard deviation γ^-2 (Algorithm 1 as transcribed); default 1",
        "fourier-dim=F, even; default the embedding width E",
        "hidden-dim=Hd of the MLP; default 32",
        "mlp=gelu (PE = MLP(r)) or none (PE = r, F = E, pairs adjacent); default gelu",
        "width=W: positions form a row-major grid W wide, x = (row, column); default 1-D x = (p)",
        "seed=seed of the parameters (SplittableRandom); default 0",
        "wr=.npy [F/2, M] of W_r (M = 1, or 2 with width); default seeded",
        "w1=.npy [F, Hd] of the first layer, h = r·W1 + b1 (nn.Linear's weight transposed); default seeded",
        "b1=.npy [Hd]; default seeded",
        "w2=.npy [Hd, E] of the second layer, PE = GELU(h)·W2 + b2; default seeded",
        "b2=.npy [E]; default seeded"},
    symmetries = SymmetryCertificate.LINEAR + "(mlp=none)")
public final class LearnableFourierFeatures implements PositionalEncoding {

    @Override
    public EncodingForm form() {
        return EncodingForm.ABSOLUTE;
    }

    @Override
    public PositionalResult encode(PositionalCall call, ComputeBackend backend) {
        int e = Embeddings.sharedWidth(call.q(), call.k());
        int width = call.intParam("width", 0);
        if (width < 0) {
            throw new InvalidInputException(PositionalCall.option("width"), "expected an integer >= 1, got " + width);
        }
        int m = width > 0 ? 2 : 1;
        String mlp = call.param("mlp", "gelu").strip();
        if (!mlp.equals("gelu") && !mlp.equals("none")) {
            throw new InvalidInputException(PositionalCall.option("mlp"), "expected gelu or none, got '" + mlp + "'");
        }
        boolean direct = mlp.equals("none");
        int f = call.intParam("fourier-dim", e);
        if (f < 2 || f % 2 != 0 || direct && f != e) {
            throw new InvalidInputException(PositionalCall.option("fourier-dim"), "expected an even integer >= 2"
                + (direct ? " equal to the embedding width " + e + " when mlp=none" : "") + ", got " + f);
        }
        int hd = call.intParam("hidden-dim", 32);
        if (hd < 1) {
            throw new InvalidInputException(PositionalCall.option("hidden-dim"), "expected an integer >= 1, got " + hd);
        }
        double gamma = call.doubleParam("gamma", 1);
        if (!(gamma > 0)) {
            throw new InvalidInputException(PositionalCall.option("gamma"), "expected a number > 0, got " + gamma);
        }
        SplittableRandom random = new SplittableRandom(call.intParam("seed", 0));
        double[] wr = table(call, random, "wr", "[F/2, M]", Math.pow(gamma, -2), ParameterTables.Draw.NORMAL, f / 2, m);
        Features features = new Features(wr, f, m, width, direct);
        Tensor pq, pk;
        if (direct) {
            pq = features.table(call.queryOffset(), call.q().dim(2), null, backend);
            pk = features.table(call.keyOffset(), call.k().dim(2), null, backend);
        } else {
            double[][] mlpWeights = {
                table(call, random, "w1", "[F, Hd]", 1 / Math.sqrt(f), ParameterTables.Draw.UNIFORM, f, hd),
                table(call, random, "b1", "[Hd]", 1 / Math.sqrt(f), ParameterTables.Draw.UNIFORM, hd),
                table(call, random, "w2", "[Hd, E]", 1 / Math.sqrt(hd), ParameterTables.Draw.UNIFORM, hd, e),
                table(call, random, "b2", "[E]", 1 / Math.sqrt(hd), ParameterTables.Draw.UNIFORM, e)};
            pq = features.table(call.queryOffset(), call.q().dim(2), mlpWeights, backend);
            pk = features.table(call.keyOffset(), call.k().dim(2), mlpWeights, backend);
        }
        return PositionalResult.tokens(add(call.q(), call.queryOffset(), pq), add(call.k(), call.keyOffset(), pk));
    }

    private static Tensor add(Tensor x, int offset, Tensor pe) {
        double[] rows = pe.doubleData();
        int w = pe.dim(1);
        return Embeddings.add(x, offset, (p, c, width) -> rows[(int) (p - offset) * w + c]);
    }

    private static double[] table(PositionalCall call, SplittableRandom random, String name, String layout,
                                  double sigma, ParameterTables.Draw draw, int... shape) {
        String file = call.param(name, "");
        Tensor t = file.isBlank() ? ParameterTables.draw(random, draw, sigma, shape)
            : ParameterTables.read(PositionalCall.option(name), Path.of(file.strip()), layout, shape);
        return t.doubleData();
    }

    /** r(x) and, given the MLP's weights, PE(x), for a run of consecutive positions. */
    private record Features(double[] wr, int f, int m, int width, boolean interleaved) {

        /**
         * [n, E] encodings of positions offset … offset + n − 1; {@code mlp} null: r(x) itself. The MLP's exact GELU
         * is the backend's {@link UnaryOp#GELU} (x·Φ(x)), computed in float64.
         */
        Tensor table(int offset, int n, double[][] mlp, ComputeBackend backend) {
            int out = mlp == null ? f : mlp[3].length;
            double[] rows = new double[n * out];
            for (int t = 0; t < n; t++) {
                double[] r = fourier((long) offset + t);
                double[] pe = mlp == null ? r : perceptron(r, mlp, backend);
                System.arraycopy(pe, 0, rows, t * out, out);
            }
            return Tensor.of(rows, n, out);
        }

        private double[] fourier(long p) {
            double[] x = width > 0 ? new double[] {p / width, p % width} : new double[] {p};
            double norm = 1 / Math.sqrt(f);
            double[] r = new double[f];
            for (int k = 0; k < f / 2; k++) {
                double angle = 0;
                for (int a = 0; a < m; a++) {
                    angle += x[a] * wr[k * m + a];
                }
                int cos = interleaved ? 2 * k : k, sin = interleaved ? 2 * k + 1 : f / 2 + k;
                r[cos] = norm * Math.cos(angle);
                r[sin] = norm * Math.sin(angle);
            }
            return r;
        }

        private double[] perceptron(double[] r, double[][] mlp, ComputeBackend backend) {
            double[] w1 = mlp[0], b1 = mlp[1], w2 = mlp[2], b2 = mlp[3];
            int hd = b1.length, e = b2.length;
            double[] h = new double[hd];
            for (int j = 0; j < hd; j++) {
                double s = b1[j];
                for (int i = 0; i < f; i++) {
                    s += r[i] * w1[i * hd + j];
                }
                h[j] = s;
            }
            h = backend.unary(UnaryOp.GELU, Tensor.of(h, hd), null).doubleData();
            double[] pe = new double[e];
            for (int c = 0; c < e; c++) {
                double s = b2[c];
                for (int j = 0; j < hd; j++) {
                    s += h[j] * w2[j * e + c];
                }
                pe[c] = s;
            }
            return pe;
        }
    }
}
