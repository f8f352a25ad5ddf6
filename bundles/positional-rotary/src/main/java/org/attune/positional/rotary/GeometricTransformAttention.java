package org.attune.positional.rotary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.position.EncodingForm;
import org.attune.api.position.PositionalCall;
import org.attune.api.position.PositionalEncoding;
import org.attune.api.position.PositionalEncodingMethod;
import org.attune.api.position.PositionalResult;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;
import org.osgi.service.component.annotations.Component;

/**
 * Geometric transform attention: each token carries the SE(3) camera pose of its view, and attention between
 * tokens of views i and j sees only the relative transform P_i⁻¹ P_j, in its logits and in the values it moves.
 * Miyato et al., "GTA: A Geometry-Aware Attention Mechanism for Multi-View Transformers", arXiv:2310.10375,
 * eq. (6); transcribed from the reference {@code multihead_geometric_transform_attention} (autonomousvision/gta,
 * {@code source/utils/gta.py}, 'se3' and 'triv' channel groups).
 * <pre>
 *   P = [[R, s·t], [0, 1]]  (camera-to-world pose, translation scaled by s = trans-coeff)
 *   q'ᵢ = (P_{v(i)}⁻¹)ᵀ qᵢ,   k'ⱼ = P_{v(j)} kⱼ,   v'ⱼ = P_{v(j)} vⱼ       (value transform)
 *   Oᵢ = P_{v(i)}⁻¹ · Attention(q', k', v')ᵢ                               (output transform)
 *      = Σⱼ softmaxⱼ(scale · qᵢᵀ P_{v(i)}⁻¹ P_{v(j)} kⱼ) · P_{v(i)}⁻¹ P_{v(j)} vⱼ
 * </pre>
 * each on every consecutive 4-channel block of the first se3-dims channels. Token n of q (and of k, v) belongs to
 * view v(n) = ⌊n / (N/V)⌋; channels beyond se3-dims pass unchanged (the reference's 'triv' group). With
 * {@code v-transform=false} (the reference's {@code v_transform=False}) only q and k are transformed. Both
 * forms are invariant under a change of world frame, Pᵥ ↦ T Pᵥ for all views, since (T P_i)⁻¹ T P_j = P_i⁻¹ P_j.
 * For rotation-only poses ρ is orthogonal, ρ⁻¹ = ρᵀ, and the q and k maps coincide as in the paper's
 * ρ(g)ᵀQ, ρ(g)⁻¹K. The SO(2) patch-position group of the reference is the separate {@code rope-2d}.
 * q [B, H, Nq, D], k [B, Hkv, Nk, D] → q', k'; value transform v [B, Hkv, Nk, Dv ≥ se3-dims] → v'; output
 * transform o [B, H, Nq, Dv] → O (see {@link PositionalResult}).
 * Options: {@code poses=FILE.npy} [V, 4, 4] (required), {@code se3-dims} (default D, a multiple of 4),
 * {@code trans-coeff} s (default 1), {@code v-transform} (default true). Positions and offsets are not used.
 */
@Component(service = PositionalEncoding.class)
@PositionalEncodingMethod(id = "gta", name = "GTA", family = "rotary",
    paper = "GTA: A Geometry-Aware Attention Mechanism for Multi-View Transformers", arxiv = "2310.10375", year = 2023,
    options = {"poses=.npy file [views, 4, 4] of camera-to-world SE(3) poses; token n of a sequence of N is in view n/(N/views)",
        "se3-dims=channels per head transformed in 4-blocks; a multiple of 4; default dim",
        "trans-coeff=scale of the translations; default 1",
        "v-transform=true to transform values and output as well (the paper's GTA), false for q and k only; default true"})
public final class GeometricTransformAttention implements PositionalEncoding {

    @Override
    public EncodingForm form() {
        return EncodingForm.ROTARY;
    }

    @Override
    public PositionalResult encode(PositionalCall call, ComputeBackend backend) {
        TokenVectors.requireDims(call.q(), call.k(), 1);
        int d = call.q().dim(3);
        int se3 = call.intParam("se3-dims", d);
        if (se3 < 0 || se3 > d || se3 % 4 != 0) {
            throw new InvalidInputException(PositionalCall.option("se3-dims"), "expected a multiple of 4 in [0, " + d
                + "], got " + se3);
        }
        double s = call.doubleParam("trans-coeff", 1);
        Tensor poses = poses(call);
        int views = poses.dim(0);
        double[][][] forward = new double[views][][];
        double[][][] inverseTransposed = new double[views][][];
        for (int v = 0; v < views; v++) {
            double[][] p = new double[4][4];
            for (int r = 0; r < 4; r++) {
                for (int c = 0; c < 4; c++) {
                    p[r][c] = poses.get(v, r, c) * (c == 3 && r < 3 ? s : 1);
                }
            }
            forward[v] = p;
            inverseTransposed[v] = transpose(rigidInverse(p));
        }
        Tensor q = transform(call.q(), "q", views, inverseTransposed, se3);
        Tensor k = transform(call.k(), "k", views, forward, se3);
        if (!transformsValues(call)) {
            return PositionalResult.tokens(q, k);
        }
        double[][][] inverse = new double[views][][];
        for (int v = 0; v < views; v++) {
            inverse[v] = transpose(inverseTransposed[v]);
        }
        int nk = call.k().dim(2), nq = call.q().dim(2);
        return PositionalResult.tokens(q, k,
            v -> transform(checked(v, "v", "[batch, kv heads, " + nk + ", dim_v >= " + se3 + "]", call.k().dim(0), nk, se3),
                "v", views, forward, se3),
            o -> transform(checked(o, "output", "[batch, heads, " + nq + ", dim_v >= " + se3 + "]", call.q().dim(0), nq, se3),
                "output", views, inverse, se3));
    }

    private static boolean transformsValues(PositionalCall call) {
        String s = call.param("v-transform", "true").strip();
        if (!s.equals("true") && !s.equals("false")) {
            throw new InvalidInputException(PositionalCall.option("v-transform"), "expected true or false, got '" + s + "'");
        }
        return s.equals("true");
    }

    /** x checked as [batch, *, n, ≥ se3] with the call's batch and length. */
    private static Tensor checked(Tensor x, String argument, String expected, int batch, int n, int se3) {
        x.requireShape(argument, expected, batch, -1, n, -1);
        if (x.dim(3) < se3) {
            throw new InvalidInputException(argument, "expected shape " + expected + ", got " + Arrays.toString(x.shape()));
        }
        return x;
    }

    private static Tensor transform(Tensor x, String argument, int views, double[][][] mats, int se3) {
        int n = x.dim(2);
        if (n % views != 0) {
            throw new InvalidInputException(argument, "expected a length divisible by the " + views + " views of the poses, got "
                + n);
        }
        int perView = n / views;
        return TokenVectors.map(x, 0, (vec, position) -> {
            double[][] m = mats[(int) (position / perView)];
            for (int b = 0; b < se3; b += 4) {
                double[] y = new double[4];
                for (int r = 0; r < 4; r++) {
                    for (int c = 0; c < 4; c++) {
                        y[r] += m[r][c] * vec[b + c];
                    }
                }
                System.arraycopy(y, 0, vec, b, 4);
            }
        });
    }

    /** [[R, t], [0, 1]]⁻¹ = [[Rᵀ, −Rᵀt], [0, 1]]. */
    private static double[][] rigidInverse(double[][] p) {
        double[][] inv = new double[4][4];
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 3; c++) {
                inv[r][c] = p[c][r];
            }
            for (int c = 0; c < 3; c++) {
                inv[r][3] -= p[c][r] * p[c][3];
            }
        }
        inv[3][3] = 1;
        return inv;
    }

    private static double[][] transpose(double[][] m) {
        double[][] t = new double[4][4];
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                t[r][c] = m[c][r];
            }
        }
        return t;
    }

    /** The poses file: [V, 4, 4], last row (0, 0, 0, 1), rotation part orthonormal to 1e-6. */
    private static Tensor poses(PositionalCall call) {
        String option = PositionalCall.option("poses");
        String file = call.param("poses", "").strip();
        if (file.isEmpty()) {
            throw new InvalidInputException(option, "expected a .npy file [views, 4, 4] of camera poses");
        }
        Path path = Path.of(file);
        if (!Files.isRegularFile(path)) {
            throw new InvalidInputException(option, "no such file " + path.toAbsolutePath());
        }
        Tensor t;
        try {
            t = Npy.read(path);
        } catch (IOException e) {
            throw new InvalidInputException(option, "cannot read " + path + ": " + e.getMessage());
        }
        t.requireDType(option, DType.FLOAT32, DType.FLOAT64).requireShape(option, "[views, 4, 4]", -1, 4, 4);
        if (t.dim(0) < 1) {
            throw new InvalidInputException(option, "expected at least one pose");
        }
        for (int v = 0; v < t.dim(0); v++) {
            for (int r = 0; r < 3; r++) {
                for (int c = 0; c < 3; c++) {
                    double dot = 0;
                    for (int e = 0; e < 3; e++) {
                        dot += t.get(v, e, r) * t.get(v, e, c);
                    }
                    if (Math.abs(dot - (r == c ? 1 : 0)) > 1e-6 || t.get(v, 3, c) != 0 || t.get(v, 3, 3) != 1) {
                        throw new InvalidInputException(option, "pose " + v + " is not rigid: expected [[R, t], [0, 1]] with "
                            + "R orthonormal");
                    }
                }
            }
        }
        return t;
    }
}
