package org.attune.equivariance.canonicalization;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.Reduction;
import org.attune.api.backend.UnaryOp;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;

/**
 * The weights of {@link RotaTouille}'s stack and its layers on complex sequences, held as real and imaginary parts
 * z = re + i·im, each [N, C] (position n along the contour, complex channel c). With p = (k − 1)/2 and indices
 * modulo N:
 * <pre>
 *   centre(z)_c[n]   = z_c[n] − (1/N) Σ_m z_c[m]
 *   conv(z; W)_o[n]  = Σ_{j=0}^{k−1} Σ_c z_c[n + j − p] · W_j[c, o]        (complex product, no conjugation, no bias)
 *   modReLU_b(z)_c   = ReLU(|z_c| + b_c) · z_c / |z_c|                     (0 where z_c = 0)
 *   |z|_c[n]         = sqrt(re² + im²)
 * </pre>
 * as in the authors' {@code ConvLayer} (centre, circular padding p, {@code conv1d}, no bias) and {@code ModReLU}.
 * conv commutes with z ↦ e^{iθ}z (it is ℂ-linear) and with z ↦ roll(z, s) (circular), centre also removes
 * translations z ↦ z + t, and modReLU rescales each entry by a function of its modulus only.
 *
 * <p>Initialiser ({@code SplittableRandom(seed)}, drawn in this order, row-major): for each block l = 1 … L and each
 * tap j = 0 … k−1, Re W_j then Im W_j [C_in, C] uniform in ±1/√(k·C_in) (C_in = 1 for the first block, else C),
 * then b [C] uniform in ±1/2; then the head: for each tap Re then Im [C, 1] uniform in ±1/√(k·C). The authors
 * draw Xavier-normal weights and one bias per layer initialised to 0, where modReLU is the identity; the drawn
 * biases make the untrained stack non-linear.
 *
 * @param blocks the L blocks' taps, each {re[k], im[k]} of [C_in, C], float64
 * @param biases the L blocks' modReLU biases [C]
 * @param head   the head's taps {re[k], im[k]} of [C, 1]
 */
record ContourLayers(List<Tensor[][]> blocks, List<Tensor> biases, Tensor[][] head) {
    /** A complex sequence: real and imaginary parts, [N, C] each. */
    record Complex(Tensor re, Tensor im) {
    }

    /** The weights of L blocks of width C with k taps. */
    static ContourLayers init(long seed, int layers, int channels, int kernel) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Tensor[][]> blocks = new ArrayList<>();
        List<Tensor> biases = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            blocks.add(taps(r, kernel, l == 0 ? 1 : channels, channels));
            biases.add(SeededUniform.draw(r, 0.5, channels));
        }
        return new ContourLayers(List.copyOf(blocks), List.copyOf(biases), taps(r, kernel, channels, 1));
    }

    private static Tensor[][] taps(SplittableRandom r, int kernel, int in, int out) {
        double bound = 1 / Math.sqrt((double) kernel * in);
        Tensor[][] w = new Tensor[2][kernel];
        for (int j = 0; j < kernel; j++) {
            w[0][j] = SeededUniform.draw(r, bound, in, out);
            w[1][j] = SeededUniform.draw(r, bound, in, out);
        }
        return w;
    }

    /** The last block's output h^L [N, C], computed in z's element type. */
    Complex features(ComputeBackend backend, Complex z) {
        Complex h = z;
        for (int l = 0; l < blocks.size(); l++) {
            h = modRelu(backend, conv(backend, centre(backend, h), blocks.get(l)), biases.get(l));
        }
        return h;
    }

    /** The head conv(centre(h); W_head) [N, 1]. */
    Complex head(ComputeBackend backend, Complex h) {
        return conv(backend, centre(backend, h), head);
    }

    static Complex centre(ComputeBackend backend, Complex z) {
        return new Complex(backend.binary(BinaryOp.SUB, z.re(), backend.reduce(Reduction.MEAN, z.re(), 0, true), null),
            backend.binary(BinaryOp.SUB, z.im(), backend.reduce(Reduction.MEAN, z.im(), 0, true), null));
    }

    /** Circular complex convolution with taps w = {re[k], im[k]}. */
    static Complex conv(ComputeBackend backend, Complex z, Tensor[][] w) {
        int n = z.re().dim(0);
        int k = w[0].length;
        int p = (k - 1) / 2;
        DType t = z.re().dtype();
        Tensor re = null;
        Tensor im = null;
        for (int j = 0; j < k; j++) {
            long[] index = new long[n];
            for (int i = 0; i < n; i++) {
                index[i] = Math.floorMod(i + j - p, n);
            }
            Tensor idx = Tensor.of(index, n);
            Tensor zr = backend.gather(z.re(), idx);
            Tensor zi = backend.gather(z.im(), idx);
            Tensor wr = w[0][j].to(t);
            Tensor wi = w[1][j].to(t);
            // (zr + i·zi)(wr + i·wi) = (zr·wr − zi·wi) + i(zr·wi + zi·wr)
            Tensor tr = backend.binary(BinaryOp.SUB, mm(backend, zr, wr), mm(backend, zi, wi), null);
            Tensor ti = backend.binary(BinaryOp.ADD, mm(backend, zr, wi), mm(backend, zi, wr), null);
            re = re == null ? tr : backend.binary(BinaryOp.ADD, re, tr, null);
            im = im == null ? ti : backend.binary(BinaryOp.ADD, im, ti, null);
        }
        return new Complex(re, im);
    }

    /** |z| [N, C]. */
    static Tensor modulus(ComputeBackend backend, Complex z) {
        return backend.unary(UnaryOp.SQRT, backend.binary(BinaryOp.ADD, backend.unary(UnaryOp.SQUARE, z.re(), null),
            backend.unary(UnaryOp.SQUARE, z.im(), null), null), null);
    }

    /**
     * modReLU_b(z) = ReLU(|z| + b)·z/|z|; the divisor is max(|z|, smallest normal number), so z = 0 maps to 0 and
     * the factor stays a function of |z| alone.
     */
    static Complex modRelu(ComputeBackend backend, Complex z, Tensor bias) {
        DType t = z.re().dtype();
        Tensor m = modulus(backend, z);
        Tensor floor = Tensor.scalar(t, t == DType.FLOAT32 ? Float.MIN_NORMAL : Double.MIN_NORMAL);
        Tensor gain = backend.binary(BinaryOp.DIV,
            backend.unary(UnaryOp.RELU, backend.binary(BinaryOp.ADD, m, bias.to(t), null), null),
            backend.binary(BinaryOp.MAX, m, floor, null), null);
        return new Complex(backend.binary(BinaryOp.MUL, z.re(), gain, null), backend.binary(BinaryOp.MUL, z.im(), gain, null));
    }

    private static Tensor mm(ComputeBackend backend, Tensor a, Tensor b) {
        return backend.matmul(a, b, false, false, null);
    }
}
