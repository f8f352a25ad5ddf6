package org.attune.equivariance.graph;

import java.util.SplittableRandom;

import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;

/**
 * An affine map y = x·W + b with W [in, out] and b [out] (or none), and the seeded initialisers of the
 * reference code (PyTorch's {@code nn.Linear} defaults): W and b uniform in ±1/√in
 * ({@code kaiming_uniform_(a=√5)}); {@link #xavier} uniform in ±gain·√(6/(in + out)) without bias.
 *
 * @param weight W [in, out], float64
 * @param bias   b [out], float64, or null
 */
record DenseLayer(Tensor weight, Tensor bias) {
    /** PyTorch's default initialisation of {@code nn.Linear(in, out)}. */
    static DenseLayer init(SplittableRandom random, int in, int out) {
        double bound = 1 / Math.sqrt(in);
        return new DenseLayer(uniform(random, bound, in, out), uniform(random, bound, out));
    }

    /** {@code nn.Linear(in, out, bias=False)} with {@code xavier_uniform_(gain)}. */
    static DenseLayer xavier(SplittableRandom random, int in, int out, double gain) {
        return new DenseLayer(uniform(random, gain * Math.sqrt(6.0 / (in + out)), in, out), null);
    }

    /** Rows [start, end) of W as a layer without bias: the part of a layer that reads one block of its input. */
    DenseLayer rows(int start, int end, boolean withBias) {
        int out = weight.dim(1);
        Tensor w = Tensor.zeros(DType.FLOAT64, end - start, out);
        for (int i = start; i < end; i++) {
            for (int j = 0; j < out; j++) {
                w.set(weight.get(i, j), i - start, j);
            }
        }
        return new DenseLayer(w, withBias ? bias : null);
    }

    /** x·W (+ b), in x's element type. */
    Tensor apply(ComputeBackend backend, Tensor x) {
        Tensor y = backend.matmul(x, weight.to(x.dtype()), false, false, null);
        return bias == null ? y : backend.binary(BinaryOp.ADD, y, bias.to(x.dtype()), null);
    }

    private static Tensor uniform(SplittableRandom random, double bound, int... shape) {
        Tensor t = Tensor.zeros(DType.FLOAT64, shape);
        for (int i = 0; i < t.size(); i++) {
            t.setFlat(i, random.nextDouble(-bound, bound));
        }
        return t;
    }
}
