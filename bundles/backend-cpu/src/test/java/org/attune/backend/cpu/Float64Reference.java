package org.attune.backend.cpu;

import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.Reduction;
import org.attune.api.backend.UnaryOp;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;

/**
 * Plain-Java float64 transcriptions of the {@code ComputeBackend} formulas, written element by element with
 * multi-indices and no shared code with the backend: the oracle the tests compare against. Inputs of any floating
 * type are read exactly as doubles; results are float64 tensors.
 */
final class Float64Reference {
    private Float64Reference() {
    }

    /** out[β, m, n] = Σ_k op(a)[β, m, k] · op(b)[β, k, n] for rank-3 a and rank-3 or rank-2 b. */
    static Tensor matmul(Tensor a, Tensor b, boolean ta, boolean tb) {
        int batch = a.dim(0);
        int m = ta ? a.dim(2) : a.dim(1);
        int k = ta ? a.dim(1) : a.dim(2);
        int n = tb ? b.dim(-2) : b.dim(-1);
        Tensor out = Tensor.zeros(DType.FLOAT64, batch, m, n);
        for (int z = 0; z < batch; z++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int l = 0; l < k; l++) {
                        double av = ta ? a.get(z, l, i) : a.get(z, i, l);
                        double bv = b.rank() == 2 ? (tb ? b.get(j, l) : b.get(l, j))
                            : (tb ? b.get(z, j, l) : b.get(z, l, j));
                        s += av * bv;
                    }
                    out.set(s, z, i, j);
                }
            }
        }
        return out;
    }

    /** Softmax over the last axis of a rank-2 x, masked (mask [rows, n] or null): masked entries 0, empty rows 0. */
    static Tensor softmaxLastAxis(Tensor x, Tensor mask) {
        int rows = x.dim(0);
        int n = x.dim(1);
        Tensor out = Tensor.zeros(DType.FLOAT64, rows, n);
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                if (mask == null || mask.get(r, j) != 0) {
                    max = Math.max(max, x.get(r, j));
                }
            }
            if (max == Double.NEGATIVE_INFINITY) {
                continue;
            }
            double sum = 0;
            for (int j = 0; j < n; j++) {
                if (mask == null || mask.get(r, j) != 0) {
                    sum += Math.exp(x.get(r, j) - max);
                }
            }
            for (int j = 0; j < n; j++) {
                if (mask == null || mask.get(r, j) != 0) {
                    out.set(Math.exp(x.get(r, j) - max) / sum, r, j);
                }
            }
        }
        return out;
    }

    /**
     * out[b,h,i,:] = Σ_j softmax_j(scale·q[b,h,i,:]·k[b,g,j,:] + bias[b,h,i,j] | allowed) · v[b,g,j,:], g = h/(Hq/Hkv),
     * allowed = mask[b,h,i,j] ∧ (¬causal ∨ j ≤ i); zero rows where nothing is allowed. mask and bias are given
     * already expanded to [B, Hq, Nq, Nk] (or null).
     */
    static Tensor attention(Tensor q, Tensor k, Tensor v, double scale, boolean causal, Tensor mask, Tensor bias) {
        int bn = q.dim(0);
        int hq = q.dim(1);
        int nq = q.dim(2);
        int d = q.dim(3);
        int hkv = k.dim(1);
        int nk = k.dim(2);
        int dv = v.dim(3);
        Tensor out = Tensor.zeros(DType.FLOAT64, bn, hq, nq, dv);
        for (int b = 0; b < bn; b++) {
            for (int h = 0; h < hq; h++) {
                int g = h / (hq / hkv);
                for (int i = 0; i < nq; i++) {
                    double[] s = new double[nk];
                    boolean[] allowed = new boolean[nk];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < nk; j++) {
                        allowed[j] = (!causal || j <= i) && (mask == null || mask.get(b, h, i, j) != 0);
                        double dot = 0;
                        for (int c = 0; c < d; c++) {
                            dot += q.get(b, h, i, c) * k.get(b, g, j, c);
                        }
                        s[j] = scale * dot + (bias == null ? 0 : bias.get(b, h, i, j));
                        if (allowed[j]) {
                            max = Math.max(max, s[j]);
                        }
                    }
                    if (max == Double.NEGATIVE_INFINITY) {
                        continue;
                    }
                    double sum = 0;
                    for (int j = 0; j < nk; j++) {
                        if (allowed[j]) {
                            sum += Math.exp(s[j] - max);
                        }
                    }
                    for (int c = 0; c < dv; c++) {
                        double o = 0;
                        for (int j = 0; j < nk; j++) {
                            if (allowed[j]) {
                                o += Math.exp(s[j] - max) / sum * v.get(b, g, j, c);
                            }
                        }
                        out.set(o, b, h, i, c);
                    }
                }
            }
        }
        return out;
    }

    static double unary(UnaryOp op, double x) {
        return switch (op) {
            case NEG -> -x;
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case TANH -> Math.tanh(x);
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case RELU -> Math.max(x, 0);
            case GELU -> x * 0.5 * (1 + erf(x / Math.sqrt(2)));
            case ELU -> x > 0 ? x : Math.exp(x) - 1;
            case SOFTPLUS -> x > 30 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
            case SQRT -> Math.sqrt(x);
            case SQUARE -> x * x;
            case ABS -> Math.abs(x);
            case RECIPROCAL -> 1 / x;
        };
    }

    /**
     * erf(z) = 2/√π · Σ_n (−1)ⁿ z^(2n+1) / (n! (2n+1)), summed until the terms vanish; accurate to about 1e-14 for
     * |z| ≤ 3, the range the tests use. For |z| ≥ 6 it is ±1 to float64 precision (erfc(6) ≈ 2e-17).
     */
    static double erf(double z) {
        if (Math.abs(z) >= 6) {
            return Math.signum(z);
        }
        double term = z;
        double sum = 0;
        for (int n = 0; n < 200; n++) {
            double t = term / (2 * n + 1);
            sum += t;
            if (Math.abs(t) < 1e-18 * Math.abs(sum)) {
                break;
            }
            term *= -z * z / (n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    static double binary(BinaryOp op, double a, double b) {
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

    /** NumPy broadcasting by multi-index: out[ι] = f(a[ι'], b[ι'']), ι' taking index 0 on a's size-1 axes. */
    static Tensor binary(BinaryOp op, Tensor a, Tensor b, int[] outShape) {
        Tensor out = Tensor.zeros(DType.FLOAT64, outShape);
        int[] idx = new int[outShape.length];
        for (int f = 0; f < out.size(); f++) {
            int rem = f;
            for (int ax = outShape.length - 1; ax >= 0; ax--) {
                idx[ax] = rem % outShape[ax];
                rem /= outShape[ax];
            }
            out.setFlat(f, binary(op, a.get(project(idx, a.shape())), b.get(project(idx, b.shape()))));
        }
        return out;
    }

    private static int[] project(int[] idx, int[] shape) {
        int[] p = new int[shape.length];
        for (int ax = 0; ax < shape.length; ax++) {
            int o = idx.length - shape.length + ax;
            p[ax] = shape[ax] == 1 ? 0 : idx[o];
        }
        return p;
    }

    /** Reduction over axis 1 of a rank-3 x: out[o, i]. */
    static Tensor reduceMiddle(Reduction r, Tensor x) {
        int o = x.dim(0);
        int n = x.dim(1);
        int in = x.dim(2);
        Tensor out = Tensor.zeros(DType.FLOAT64, o, in);
        for (int a = 0; a < o; a++) {
            for (int c = 0; c < in; c++) {
                double v = switch (r) {
                    case SUM, MEAN -> {
                        double s = 0;
                        for (int j = 0; j < n; j++) {
                            s += x.get(a, j, c);
                        }
                        yield r == Reduction.SUM ? s : s / n;
                    }
                    case MAX -> {
                        double m = Double.NEGATIVE_INFINITY;
                        for (int j = 0; j < n; j++) {
                            m = Math.max(m, x.get(a, j, c));
                        }
                        yield m;
                    }
                    case MIN -> {
                        double m = Double.POSITIVE_INFINITY;
                        for (int j = 0; j < n; j++) {
                            m = Math.min(m, x.get(a, j, c));
                        }
                        yield m;
                    }
                    case LOG_SUM_EXP -> {
                        double s = 0;
                        for (int j = 0; j < n; j++) {
                            s += Math.exp(x.get(a, j, c));
                        }
                        yield Math.log(s);
                    }
                };
                out.set(v, a, c);
            }
        }
        return out;
    }
}
