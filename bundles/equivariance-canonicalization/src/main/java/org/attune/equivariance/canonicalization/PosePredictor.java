package org.attune.equivariance.canonicalization;

import java.util.SplittableRandom;

import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.Reduction;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;

/**
 * The pose predictor of an Equivariant Transformer, translation-equivariant in canonical coordinates, after the ETN
 * code's {@code EquivariantPosePredictor} (stride 1, no batch norm, bias-free). On samples P [n_v, n_u] (rows: the
 * periodic angle v, columns: u), with k×k convolutions that wrap around in v and are zero-padded in u, and
 * λ(x) = max(x, 0.1·x) (leaky ReLU 0.1):
 * <pre>
 *   φ = λ(conv₂(λ(conv₁(P))))                                       [n_v, n_u, C]
 *   rotation: ℓ = conv_line(max_u φ)  (k taps, wrapping in v)       [n_v]
 *   scale:    ℓ = conv_line(max_v φ)  (k taps, zero-padded in u)    [n_u]
 *   p = softmax(ℓ)
 *   θ = atan2(Σ_j p_j sin v_j, Σ_j p_j cos v_j)      (rotation: circular centroid of the heat map)
 *   θ = Σ_i p_i u_i                                  (scale: centroid)
 * </pre>
 * A cyclic shift of P by m rows shifts φ, ℓ and p by m and θ by exactly 2πm/n_v; a shift in u is matched only away
 * from the zero-padded ends (the softmax weighs every position). Initialiser ({@code SplittableRandom(seed)}, in this
 * order, taps row-major over (Δv, Δu) ∈ [−p, p]², p = (k−1)/2, each [C_in, C_out] row-major): conv₁ [1, C] uniform
 * in ±1/k, conv₂ [C, C] in ±1/(k√C), conv_line [C, 1] for k taps in ±1/√(kC) (the ETN heat-map bias tanh(b),
 * initialised to b = 0, is left out).
 *
 * @param conv1 k² taps [1, C], float64
 * @param conv2 k² taps [C, C]
 * @param line  k taps [C, 1]
 */
record PosePredictor(Tensor[] conv1, Tensor[] conv2, Tensor[] line) {
    /** The weights for C channels and k taps per axis. */
    static PosePredictor init(long seed, int channels, int kernel) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor[] c1 = new Tensor[kernel * kernel];
        for (int t = 0; t < c1.length; t++) {
            c1[t] = SeededUniform.draw(r, 1.0 / kernel, 1, channels);
        }
        Tensor[] c2 = new Tensor[kernel * kernel];
        for (int t = 0; t < c2.length; t++) {
            c2[t] = SeededUniform.draw(r, 1 / (kernel * Math.sqrt(channels)), channels, channels);
        }
        Tensor[] l = new Tensor[kernel];
        for (int t = 0; t < l.length; t++) {
            l[t] = SeededUniform.draw(r, 1 / Math.sqrt((double) kernel * channels), channels, 1);
        }
        return new PosePredictor(c1, c2, l);
    }

    /** The heat map p [L, 1] (L = n_v for rotations, n_u for scale) of samples [n_v·n_u, 1], row-major (v, u). */
    Tensor heatMap(ComputeBackend backend, Tensor samples, int nv, int nu, boolean scale) {
        Tensor phi = leaky(backend, conv2d(backend, leaky(backend, conv2d(backend, samples, conv1, nv, nu)), conv2, nv, nu));
        int channels = phi.dim(1);
        Tensor pooled = backend.reduce(Reduction.MAX, phi.reshape(nv, nu, channels), scale ? 0 : 1, false);
        Tensor logits = conv1d(backend, pooled, line, !scale);
        return backend.softmax(logits, 0, null, null);
    }

    /** The pose θ of a heat map over the pose axis (see the class documentation), in float64. */
    static double pose(ComputeBackend backend, Tensor heat, double[] axis, boolean scale) {
        int n = axis.length;
        DType t = heat.dtype();
        if (scale) {
            return backend.matmul(heat, Tensor.of(axis, n, 1).to(t), true, false, null).getFlat(0);
        }
        double[] sc = new double[2 * n];
        for (int j = 0; j < n; j++) {
            sc[2 * j] = Math.sin(axis[j]);
            sc[2 * j + 1] = Math.cos(axis[j]);
        }
        Tensor m = backend.matmul(heat, Tensor.of(sc, n, 2).to(t), true, false, null);
        return Math.atan2(m.getFlat(0), m.getFlat(1));
    }

    /** k×k convolution of x [n_v·n_u, C_in] (wrapping in v, zero-padded in u) with taps [C_in, C_out]. */
    private static Tensor conv2d(ComputeBackend backend, Tensor x, Tensor[] taps, int nv, int nu) {
        int k = (int) Math.round(Math.sqrt(taps.length));
        int p = (k - 1) / 2;
        DType t = x.dtype();
        Tensor out = null;
        for (int a = -p; a <= p; a++) {
            for (int b = -p; b <= p; b++) {
                long[] index = new long[nv * nu];
                double[] mask = new double[nv * nu];
                for (int j = 0; j < nv; j++) {
                    for (int i = 0; i < nu; i++) {
                        int src = i + b;
                        if (src >= 0 && src < nu) {
                            index[j * nu + i] = (long) Math.floorMod(j + a, nv) * nu + src;
                            mask[j * nu + i] = 1;
                        }
                    }
                }
                Tensor rows = backend.binary(BinaryOp.MUL, backend.gather(x, Tensor.of(index, nv * nu)),
                    Tensor.of(mask, nv * nu, 1).to(t), null);
                Tensor term = backend.matmul(rows, taps[(a + p) * k + (b + p)].to(t), false, false, null);
                out = out == null ? term : backend.binary(BinaryOp.ADD, out, term, null);
            }
        }
        return out;
    }

    /** k-tap convolution of x [L, C] along L (wrapping or zero-padded) with taps [C, 1]. */
    private static Tensor conv1d(ComputeBackend backend, Tensor x, Tensor[] taps, boolean wrap) {
        int n = x.dim(0);
        int p = (taps.length - 1) / 2;
        DType t = x.dtype();
        Tensor out = null;
        for (int a = -p; a <= p; a++) {
            long[] index = new long[n];
            double[] mask = new double[n];
            for (int j = 0; j < n; j++) {
                int src = j + a;
                if (wrap || (src >= 0 && src < n)) {
                    index[j] = Math.floorMod(src, n);
                    mask[j] = 1;
                }
            }
            Tensor rows = backend.binary(BinaryOp.MUL, backend.gather(x, Tensor.of(index, n)), Tensor.of(mask, n, 1).to(t),
                null);
            Tensor term = backend.matmul(rows, taps[a + p].to(t), false, false, null);
            out = out == null ? term : backend.binary(BinaryOp.ADD, out, term, null);
        }
        return out;
    }

    /** λ(x) = max(x, 0.1·x). */
    private static Tensor leaky(ComputeBackend backend, Tensor x) {
        return backend.binary(BinaryOp.MAX, x, backend.binary(BinaryOp.MUL, x, Tensor.scalar(x.dtype(), 0.1), null), null);
    }
}
