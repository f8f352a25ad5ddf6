package org.attune.backend.cpu;

import org.attune.api.backend.UnaryOp;
import org.attune.api.tensor.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Erf;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Elementwise functions on Nd4j's multi-threaded transform loops, applied in place to an off-heap copy of x:
 * <pre>
 *   NEG −x    EXP eˣ    LOG ln x    TANH tanh x    SIGMOID 1/(1+e⁻ˣ)    RELU max(x, 0)
 *   GELU x·Φ(x) = ½·x·(1 + erf(x/√2))    ELU x > 0 ? x : eˣ − 1
 *   SOFTPLUS ln(1 + eˣ) = max(x, 0) + ln(1 + e^(−|x|))   (no overflow for large x)
 *   SQRT √x    SQUARE x²    ABS |x|    RECIPROCAL 1/x
 * </pre>
 * GELU and SOFTPLUS are composed from these pieces (erf, abs, exp, log1p, relu); libnd4j's own softplus op does not
 * meet the float64 reference at large arguments.
 */
final class ElementwiseUnary {
    private static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);

    private ElementwiseUnary() {
    }

    static Tensor compute(UnaryOp op, Tensor x, Tensor out) {
        int[] shape = x.shape();
        out = Tensor.output(out, x.dtype(), shape);
        if (x.size() == 0) {
            return out;
        }
        INDArray a = OffHeapCopy.of(x, x.size());
        INDArray t = null;
        try {
            INDArray r = switch (op) {
                case NEG -> Transforms.neg(a, false);
                case EXP -> Transforms.exp(a, false);
                case LOG -> Transforms.log(a, false);
                case TANH -> Transforms.tanh(a, false);
                case SIGMOID -> Transforms.sigmoid(a, false);
                case RELU -> Transforms.relu(a, false);
                case GELU -> {
                    t = a.mul(INV_SQRT2);
                    Nd4j.exec(new Erf(t, t));
                    yield t.addi(1.0).muli(0.5).muli(a);
                }
                case ELU -> Transforms.elu(a, false);
                case SOFTPLUS -> {
                    t = Transforms.abs(a, true).negi();
                    Transforms.exp(t, false);
                    Transforms.log1p(t, false);
                    yield Transforms.relu(a, false).addi(t);
                }
                case SQRT -> Transforms.sqrt(a, false);
                case SQUARE -> a.muli(a);
                case ABS -> Transforms.abs(a, false);
                case RECIPROCAL -> a.rdivi(1.0);
            };
            OffHeapCopy.get(r, 0, out, 0, out.size());
            return out;
        } finally {
            OffHeapCopy.release(a, t);
        }
    }
}
