package org.attune.api.position;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/**
 * The symmetry claims a positional encoding may declare, and the one generic check of each. A claim is a name
 * optionally followed by the parameters under which it holds, {@code shift:grid(padding=circular,width=4)}; the
 * check runs the encoding with the caller's parameters overridden by these. All checks run in float64 on seeded
 * inputs q, k [1, 2, 16, 16] (uniform in [−1, 1)) and report the largest violation, relative to the largest
 * magnitude of the compared quantity, against a stated tolerance.
 *
 * <ul>
 * <li>{@value #RELATIVE}: the logits depend only on i − j. Token forms: the logits q'ᵢ·k'ⱼ are unchanged when
 * every query and key position moves by the same P; bias form: the bias is unchanged (for the same q, k) and,
 * when it reads positions only, is constant along diagonals (b[h, i, j] = b[h, i+1, j+1]). P ∈ {1, 37, 1000,
 * 10⁶}; with a claim parameter {@code width=W} (a row-major grid W tokens wide) P and the diagonal step are
 * multiples of W.</li>
 * <li>{@value #LINEAR}: absolute form; PE(p + k) = M(k)·PE(p) with M(k) orthogonal, checked as the Gram matrix
 * ⟨PE(i), PE(j)⟩ of the encoding of zero tokens being unchanged under the shifts of {@value #RELATIVE}.</li>
 * <li>{@value #SYMMETRIC}: bias form, non-causal, Nq = Nk: b[h, i, j] = b[h, j, i].</li>
 * <li>{@value #GRID_SHIFT}: token forms; encoding commutes with a circular shift of the row-major token grid of
 * width {@code width} (claim parameter, default 4) by one row and one column.</li>
 * <li>{@value #PERIODIC}: absolute form; PE(t + p) = PE(t) for p = claim parameter {@code period}.</li>
 * <li>{@value #IDENTITY}: token forms return q and k unchanged; the bias form returns zeros.</li>
 * </ul>
 * A claim outside this vocabulary is reported as failed with a NaN violation: an encoding must not claim what
 * cannot be checked.
 */
public final class SymmetryCertificate {
    /** Logits depend only on the offset i − j. */
    public static final String RELATIVE = "shift:relative";
    /** Absolute encodings whose inner products depend only on the offset (a shift acts linearly). */
    public static final String LINEAR = "shift:linear";
    /** Bias symmetric in i and j. */
    public static final String SYMMETRIC = "symmetric";
    /** Commutes with circular shifts of the token grid. */
    public static final String GRID_SHIFT = "shift:grid";
    /** Periodic in position with period {@code period}. */
    public static final String PERIODIC = "periodic";
    /** Leaves attention unchanged. */
    public static final String IDENTITY = "identity";

    /** Tolerance of every check, relative to the largest compared magnitude (float64 throughout). */
    public static final double TOLERANCE = 1e-8;

    private static final int[] SHIFTS = {1, 37, 1000, 1_000_000};
    private static final int TOKENS = 16;
    private static final int DIM = 16;
    private static final int HEADS = 2;

    private SymmetryCertificate() {
    }

    /**
     * The outcome of one claim's check.
     *
     * @param claim     the claim as declared
     * @param violation largest relative violation found (NaN when the claim is not in the vocabulary)
     * @param tolerance the largest violation that passes
     * @param detail    where the largest violation was found, or why the claim could not be checked
     */
    public record Finding(String claim, double violation, double tolerance, String detail) {
        /** Whether the claim holds within the tolerance. */
        public boolean holds() {
            return violation <= tolerance;
        }
    }

    /**
     * Checks each claim of an encoding.
     *
     * @param pe      the encoding
     * @param claims  its declared symmetries
     * @param params  method parameters for every check (claim parameters override them)
     * @param backend where the encoding computes
     * @return one finding per claim, in order
     */
    public static List<Finding> certify(PositionalEncoding pe, List<String> claims, Map<String, String> params,
                                        ComputeBackend backend) {
        List<Finding> out = new ArrayList<>();
        for (String claim : claims) {
            out.add(check(pe, claim, params, backend));
        }
        return out;
    }

    /** Checks one claim; see the class documentation. */
    public static Finding check(PositionalEncoding pe, String claim, Map<String, String> params, ComputeBackend backend) {
        String name = claim.contains("(") ? claim.substring(0, claim.indexOf('(')).strip() : claim.strip();
        Map<String, String> p = new LinkedHashMap<>(params);
        p.putAll(claimParams(claim));
        int width = p.containsKey("width") ? Integer.parseInt(p.get("width").strip()) : 1;
        SplittableRandom random = new SplittableRandom(20240229L);
        Tensor q = uniform(random, 1, HEADS, TOKENS, DIM);
        Tensor k = uniform(random, 1, HEADS, TOKENS, DIM);
        PositionalCall tokens = PositionalCall.tokens(q, k).withParams(p);
        boolean bias = pe.form() == EncodingForm.BIAS;
        return switch (name) {
            case RELATIVE -> bias ? relativeBias(pe, claim, tokens, width, backend)
                : shifted(pe, claim, tokens, width, backend);
            case LINEAR -> shifted(pe, claim, PositionalCall.tokens(zeros(), zeros()).withParams(p), width, backend);
            case SYMMETRIC -> symmetric(pe, claim, tokens, backend);
            case GRID_SHIFT -> gridShift(pe, claim, tokens, width == 1 ? 4 : width, backend);
            case PERIODIC -> periodic(pe, claim, p, backend);
            case IDENTITY -> identity(pe, claim, tokens, backend);
            default -> new Finding(claim, Double.NaN, TOLERANCE, "no certificate for this claim; expected one of "
                + List.of(RELATIVE, LINEAR, SYMMETRIC, GRID_SHIFT, PERIODIC, IDENTITY));
        };
    }

    private static Finding shifted(PositionalEncoding pe, String claim, PositionalCall call, int width,
                                   ComputeBackend backend) {
        PositionalResult r0 = pe.encode(call, backend);
        double[] l0 = logits(r0.q(), r0.k());
        Worst worst = new Worst(magnitude(l0));
        for (int s : SHIFTS) {
            int shift = s * width;
            PositionalResult r = pe.encode(call.withOffsets(shift, shift), backend);
            worst.compare(l0, logits(r.q(), r.k()), "positions shifted by " + shift);
        }
        return worst.finding(claim);
    }

    private static Finding relativeBias(PositionalEncoding pe, String claim, PositionalCall call, int width,
                                        ComputeBackend backend) {
        Tensor b0 = pe.encode(call, backend).bias();
        double[] v0 = b0.toDoubleArray();
        Worst worst = new Worst(magnitude(v0));
        for (int s : SHIFTS) {
            int shift = s * width;
            Tensor b = pe.encode(call.withOffsets(shift, shift), backend).bias();
            worst.compare(v0, b.toDoubleArray(), "positions shifted by " + shift);
        }
        if (b0.rank() == 3) {
            int h = b0.dim(0), n = b0.dim(1), m = b0.dim(2);
            for (int a = 0; a < h; a++) {
                for (int i = 0; i + width < n; i++) {
                    for (int j = 0; j + width < m; j++) {
                        worst.one(b0.get(a, i, j), b0.get(a, i + width, j + width), "b[" + a + "," + i + "," + j
                            + "] vs b[" + a + "," + (i + width) + "," + (j + width) + "]");
                    }
                }
            }
        }
        return worst.finding(claim);
    }

    private static Finding symmetric(PositionalEncoding pe, String claim, PositionalCall call, ComputeBackend backend) {
        Tensor b = pe.encode(call.withAttention(false, null), backend).bias();
        if (b == null) {
            return new Finding(claim, Double.NaN, TOLERANCE, "the encoding returned no bias");
        }
        Tensor b3 = b.reshape(-1, b.dim(b.rank() - 2), b.dim(b.rank() - 1));
        Worst worst = new Worst(magnitude(b.toDoubleArray()));
        for (int a = 0; a < b3.dim(0); a++) {
            for (int i = 0; i < b3.dim(1); i++) {
                for (int j = 0; j < i; j++) {
                    worst.one(b3.get(a, i, j), b3.get(a, j, i), "b[" + a + "," + i + "," + j + "] vs transpose");
                }
            }
        }
        return worst.finding(claim);
    }

    private static Finding gridShift(PositionalEncoding pe, String claim, PositionalCall call, int width,
                                     ComputeBackend backend) {
        PositionalResult r = pe.encode(call, backend);
        Tensor sq = rollGrid(call.q(), width), sk = rollGrid(call.k(), width);
        PositionalResult rs = pe.encode(new PositionalCall(sq, sk, call.heads(), call.nq(), call.nk(), 0, 0, false,
            null, call.params()), backend);
        double[] expected = concat(rollGrid(r.q(), width).toDoubleArray(), rollGrid(r.k(), width).toDoubleArray());
        Worst worst = new Worst(magnitude(expected));
        worst.compare(expected, concat(rs.q().toDoubleArray(), rs.k().toDoubleArray()),
            "grid of width " + width + " rolled by one row and one column");
        return worst.finding(claim);
    }

    private static Finding periodic(PositionalEncoding pe, String claim, Map<String, String> p, ComputeBackend backend) {
        if (!p.containsKey("period")) {
            return new Finding(claim, Double.NaN, TOLERANCE, "the claim names no period, e.g. periodic(period=25)");
        }
        int period = Integer.parseInt(p.get("period").strip());
        PositionalCall call = PositionalCall.tokens(zeros(), zeros()).withParams(p);
        double[] pe0 = pe.encode(call, backend).q().toDoubleArray();
        Worst worst = new Worst(magnitude(pe0));
        for (int m : new int[] {1, 3, 1000}) {
            worst.compare(pe0, pe.encode(call.withOffsets(m * period, m * period), backend).q().toDoubleArray(),
                "positions shifted by " + m * period);
        }
        return worst.finding(claim);
    }

    private static Finding identity(PositionalEncoding pe, String claim, PositionalCall call, ComputeBackend backend) {
        PositionalResult r = pe.encode(call, backend);
        if (pe.form() == EncodingForm.BIAS) {
            double[] b = r.bias().toDoubleArray();
            Worst worst = new Worst(1);
            worst.compare(new double[b.length], b, "bias vs zero");
            return worst.finding(claim);
        }
        double[] in = concat(call.q().toDoubleArray(), call.k().toDoubleArray());
        Worst worst = new Worst(magnitude(in));
        worst.compare(in, concat(r.q().toDoubleArray(), r.k().toDoubleArray()), "encoded vs input tokens");
        return worst.finding(claim);
    }

    // ----------------------------------------------------------------------------------------------- helpers

    /** The largest relative difference seen so far and where. */
    private static final class Worst {
        private final double scale;
        private double violation;
        private String where = "no difference";

        Worst(double magnitude) {
            scale = magnitude > 0 ? magnitude : 1;
        }

        void compare(double[] expected, double[] actual, String what) {
            if (expected.length != actual.length) {
                violation = Double.POSITIVE_INFINITY;
                where = what + ": " + actual.length + " values instead of " + expected.length;
                return;
            }
            for (int i = 0; i < expected.length; i++) {
                one(expected[i], actual[i], what + " (element " + i + ")");
            }
        }

        void one(double expected, double actual, String what) {
            double d = Math.abs(expected - actual) / scale;
            if (!(d <= violation)) {
                violation = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
                where = what;
            }
        }

        Finding finding(String claim) {
            return new Finding(claim, violation, TOLERANCE, where);
        }
    }

    /** q'ᵢ·k'ⱼ for every batch, head (kv head h·Hkv/H), i, j, flattened. */
    private static double[] logits(Tensor q, Tensor k) {
        int b = q.dim(0), h = q.dim(1), n = q.dim(2), d = q.dim(3), hk = k.dim(1), m = k.dim(2);
        double[] out = new double[b * h * n * m];
        int f = 0;
        for (int z = 0; z < b; z++) {
            for (int a = 0; a < h; a++) {
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < m; j++) {
                        double s = 0;
                        for (int e = 0; e < d; e++) {
                            s += q.get(z, a, i, e) * k.get(z, a * hk / h, j, e);
                        }
                        out[f++] = s;
                    }
                }
            }
        }
        return out;
    }

    /** t [B, H, n, D] with its row-major token grid of width w rolled by one row and one column. */
    private static Tensor rollGrid(Tensor t, int w) {
        int n = t.dim(2);
        if (n % w != 0) {
            throw new InvalidInputException("width", "the " + n + " tokens do not fill a grid " + w + " wide");
        }
        int rows = n / w;
        Tensor out = Tensor.zeros(t.dtype(), t.shape());
        for (int z = 0; z < t.dim(0); z++) {
            for (int a = 0; a < t.dim(1); a++) {
                for (int i = 0; i < n; i++) {
                    int to = ((i / w + 1) % rows) * w + (i % w + 1) % w;
                    out.select(z).select(a).select(to).copyFrom(t.select(z).select(a).select(i));
                }
            }
        }
        return out;
    }

    private static Map<String, String> claimParams(String claim) {
        Map<String, String> m = new LinkedHashMap<>();
        int open = claim.indexOf('(');
        if (open < 0) {
            return m;
        }
        String inner = claim.substring(open + 1, claim.lastIndexOf(')'));
        for (String pair : inner.split(",")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                m.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
            }
        }
        return m;
    }

    private static Tensor uniform(SplittableRandom random, int... shape) {
        Tensor t = Tensor.zeros(DType.FLOAT64, shape);
        for (int i = 0; i < t.size(); i++) {
            t.setFlat(i, 2 * random.nextDouble() - 1);
        }
        return t;
    }

    private static Tensor zeros() {
        return Tensor.zeros(DType.FLOAT64, 1, HEADS, TOKENS, DIM);
    }

    private static double magnitude(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = new double[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
