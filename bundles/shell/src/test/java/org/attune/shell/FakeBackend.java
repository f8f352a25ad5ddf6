package org.attune.shell;

import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.AttentionProblem;
import org.attune.api.backend.BackendDeclinedException;
import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.Operation;
import org.attune.api.backend.Reduction;
import org.attune.api.backend.Support;
import org.attune.api.backend.UnaryOp;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;

/**
 * A backend that runs only {@link #attention}, as a naive float64 loop; every other operation declines.
 * {@code bias} is a constant added to every output element, so two fake backends can differ measurably.
 */
final class FakeBackend implements ComputeBackend {
    private final String id;
    private final double bias;

    FakeBackend(String id, double bias) {
        this.id = id;
        this.bias = bias;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Support supports(Operation op, DType dtype) {
        return op == Operation.ATTENTION && dtype.isFloating() ? Support.yes() : Support.no("fake backend runs attention only");
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, AttentionOptions options, Tensor out) {
        AttentionProblem p = AttentionProblem.of(q, k, v, options, out);
        Tensor result = out != null ? out : Tensor.zeros(q.dtype(), p.outputShape());
        double[] w = new double[p.nk()];
        for (int b = 0; b < p.batch(); b++) {
            for (int h = 0; h < p.queryHeads(); h++) {
                int g = h / p.groupSize();
                for (int i = 0; i < p.nq(); i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < p.nk(); j++) {
                        int cell = p.maskStrides() == null ? 0 : at(p.maskStrides(), b, h, i, j);
                        boolean allowed = !(options.causal() && j > i)
                            && options.mask().map(m -> m.getBooleanFlat(cell)).orElse(true);
                        double s = Double.NEGATIVE_INFINITY;
                        if (allowed) {
                            s = 0;
                            for (int e = 0; e < p.d(); e++) {
                                s += q.get(b, h, i, e) * k.get(b, g, j, e);
                            }
                            int at = p.biasStrides() == null ? 0 : at(p.biasStrides(), b, h, i, j);
                            s = s * p.scale() + options.bias().map(t -> t.getFlat(at)).orElse(0.0);
                        }
                        w[j] = s;
                        max = Math.max(max, s);
                    }
                    double z = 0;
                    for (int j = 0; j < p.nk(); j++) {
                        w[j] = max == Double.NEGATIVE_INFINITY ? 0 : Math.exp(w[j] - max);
                        z += w[j];
                    }
                    for (int e = 0; e < p.dv(); e++) {
                        double acc = 0;
                        for (int j = 0; j < p.nk(); j++) {
                            acc += w[j] * v.get(b, g, j, e);
                        }
                        result.set((z > 0 ? acc / z : 0) + bias, b, h, i, e);
                    }
                }
            }
        }
        return result;
    }

    private static int at(int[] strides, int b, int h, int i, int j) {
        return b * strides[0] + h * strides[1] + i * strides[2] + j * strides[3];
    }

    @Override
    public Tensor matmul(Tensor a, Tensor b, boolean transposeA, boolean transposeB, Tensor out) {
        throw new BackendDeclinedException(id, "matmul", "fake backend runs attention only");
    }

    @Override
    public Tensor softmax(Tensor x, int axis, Tensor mask, Tensor out) {
        throw new BackendDeclinedException(id, "softmax", "fake backend runs attention only");
    }

    @Override
    public Tensor unary(UnaryOp op, Tensor x, Tensor out) {
        throw new BackendDeclinedException(id, "unary", "fake backend runs attention only");
    }

    @Override
    public Tensor binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        throw new BackendDeclinedException(id, "binary", "fake backend runs attention only");
    }

    @Override
    public Tensor reduce(Reduction r, Tensor x, int axis, boolean keepDim) {
        throw new BackendDeclinedException(id, "reduce", "fake backend runs attention only");
    }

    @Override
    public Tensor gather(Tensor x, Tensor index) {
        throw new BackendDeclinedException(id, "gather", "fake backend runs attention only");
    }

    @Override
    public Tensor scatterAdd(Tensor src, Tensor index, int size) {
        throw new BackendDeclinedException(id, "scatter-add", "fake backend runs attention only");
    }
}
