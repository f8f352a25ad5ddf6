package org.attune.backend.java;

import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.UnaryOp;

/**
 * Elementwise functions in float64, as {@link UnaryOp} and {@link BinaryOp} define them. The logistic and
 * softplus are evaluated in their stable forms
 * <pre>
 *   sigmoid(x)  = 1 / (1 + e^{−x})  (x ≥ 0),   e^{x} / (1 + e^{x})  (x &lt; 0)
 *   softplus(x) = max(x, 0) + log1p(e^{−|x|})
 *   gelu(x)     = x · Φ(x)                     ({@link NormalCdf})
 * </pre>
 */
final class Elementwise {
    private Elementwise() {
    }

    /** {@code op(x_i)} for every element; x is not modified. */
    static double[] apply(UnaryOp op, double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = apply(op, x[i]);
        }
        return y;
    }

    /** {@code op(a[ia[i]], b[ib[i]])} for every output element i; a and b are not modified. */
    static double[] apply(BinaryOp op, double[] a, int[] ia, double[] b, int[] ib) {
        double[] y = new double[ia.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = apply(op, a[ia[i]], b[ib[i]]);
        }
        return y;
    }

    private static double apply(UnaryOp op, double x) {
        return switch (op) {
            case NEG -> -x;
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case TANH -> Math.tanh(x);
            case SIGMOID -> x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
            case RELU -> Math.max(x, 0.0);
            case GELU -> x * NormalCdf.phi(x);
            case ELU -> x > 0 ? x : Math.expm1(x);
            case SOFTPLUS -> Math.max(x, 0.0) + Math.log1p(Math.exp(-Math.abs(x)));
            case SQRT -> Math.sqrt(x);
            case SQUARE -> x * x;
            case ABS -> Math.abs(x);
            case RECIPROCAL -> 1 / x;
        };
    }

    private static double apply(BinaryOp op, double a, double b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case POW -> Math.pow(a, b);
        };
    }
}
