package org.attune.api.equivariance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.attune.api.attention.AttentionCall;
import org.attune.api.attention.AttentionMechanism;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/**
 * The one generic check of a symmetry claim, after e3nn's {@code assert_equivariant} and escnn's
 * {@code check_equivariance}: for {@code trials} seeded random group elements g and seeded random inputs x
 * (uniform in [−1, 1)), compare f(g·x) with g·f(x) for each output and report the largest error
 * <pre>
 *   error = max |f(g·x) − g·f(x)| / max(1, max |g·f(x)|)      (over all components and trials)
 * </pre>
 * against a tolerance tied to the element type the method computes in: {@value #TOLERANCE_F64} for float64 and
 * {@value #TOLERANCE_F32} for float32 (e3nn's {@code FLOAT_TOLERANCE}). Inputs are drawn and transformed in
 * float64, then rounded to the method's element type; outputs are transformed in float64, as e3nn does with
 * {@code transform_dtype=float64}, so the group action adds no error of its own.
 *
 * <p>The action comes from the {@link SymmetryGroup} passed in (from the registry in the shell, constructed
 * directly in tests), so every group service certifies every method that claims it.
 *
 * <p>Claims: a group id optionally followed by the representations of the data,
 * {@code E(3)(coords=points,feats=scalar)}.
 * <ul>
 * <li>Equivariant methods ({@link EquivariantMethod}): coordinates [{@value #NODES}, n] (n = the group's
 * {@link SymmetryGroup#dimension()}, 3 for groups acting on indices only) transform as {@code coords} (default
 * {@value SymmetryGroup#POINTS}), features [{@value #NODES}, {@value #CHANNELS}] (2l+1 channels for
 * {@code irrep:l}; an image [{@value #IMAGE_CHANNELS}, {@value #IMAGE_SIZE}, {@value #IMAGE_SIZE}] for
 * {@value SymmetryGroup#IMAGE}, a square grid that quarter turns and strides of 2 and 4 map to itself) as
 * {@code feats} (default {@value SymmetryGroup#SCALAR}), in the input and in the output;
 * velocities [{@value #NODES}, n] transform as {@value SymmetryGroup#VECTOR} (none are passed when the group does
 * not act on vectors); edges are null (fully connected).
 * One finding per output: {@code coords} (when the method returns them)
 * and {@code feats}.</li>
 * <li>Attention ({@link AttentionMechanism}), with the permutation group {@value #PERMUTATION_GROUP} on
 * self-attention inputs q, k, v [1, {@value #HEADS}, {@value #TOKENS}, {@value #HEAD_DIM}] without mask or
 * positional encoding: {@value #PERMUTATION_TOKENS} is out(Pq, Pk, Pv) = P·out(q, k, v), the same token
 * permutation P on all three; {@value #PERMUTATION_QUERIES} is out(Pq, k, v) = P·out(q, k, v);
 * {@value #PERMUTATION_KEYS} is out(q, Pk, Pv) = out(q, k, v). Parameters in the claim's parentheses,
 * {@code permutation:tokens(perturbation=0)}, are method parameters for the check. One finding, {@code out};
 * any other claim is reported as failed with a NaN error: a method must not claim what cannot be checked.</li>
 * </ul>
 * Positional encodings have their own certificate, {@link org.attune.api.position.SymmetryCertificate}.
 */
public final class EquivarianceCertificate {
    /** Largest passing error in float64 (relative to max(1, max |g·f(x)|)). */
    public static final double TOLERANCE_F64 = 1e-9;
    /** Largest passing error in float32. */
    public static final double TOLERANCE_F32 = 1e-3;
    /** The claim of attention methods: equivariance under a common permutation of the tokens. */
    public static final String PERMUTATION_TOKENS = "permutation:tokens";
    /** Attention: equivariance under a permutation of the queries. */
    public static final String PERMUTATION_QUERIES = "permutation:queries";
    /** Attention: invariance under a common permutation of the keys and values. */
    public static final String PERMUTATION_KEYS = "permutation:keys";
    /** The id of the permutation group that checks {@code permutation:*} claims. */
    public static final String PERMUTATION_GROUP = "S_n";

    static final int NODES = 7;
    static final int CHANNELS = 5;
    /** Channels of the image features drawn for {@code feats=image}. */
    static final int IMAGE_CHANNELS = 2;
    /** Height and width of the image features drawn for {@code feats=image}. */
    static final int IMAGE_SIZE = 8;
    static final int HEADS = 2;
    static final int TOKENS = 11;
    static final int HEAD_DIM = 8;

    private EquivarianceCertificate() {
    }

    /**
     * The outcome for one output of one claim.
     *
     * @param claim          the claim as declared
     * @param output         {@code coords}, {@code feats} or {@code out}
     * @param representation how the output transforms
     * @param dtype          the element type the method computed in
     * @param trials         group elements tried
     * @param error          largest error (see the class documentation)
     * @param tolerance      largest passing error for {@code dtype}
     * @param detail         the trial and element of the largest error
     */
    public record Finding(String claim, String output, String representation, DType dtype, int trials, double error,
                          double tolerance, String detail) {
        /** Whether the output is equivariant within the tolerance. */
        public boolean holds() {
            return error <= tolerance;
        }
    }

    /** The tolerance for computing in {@code dtype}: {@value #TOLERANCE_F64} or {@value #TOLERANCE_F32}. */
    public static double tolerance(DType dtype) {
        return switch (dtype) {
            case FLOAT64 -> TOLERANCE_F64;
            case FLOAT32 -> TOLERANCE_F32;
            default -> throw new InvalidInputException("dtype", "expected f32 or f64, got " + dtype.shortName());
        };
    }

    /** The id of the group that checks a claim: {@value #PERMUTATION_GROUP} for {@code permutation:*}, else the name. */
    public static String groupId(String claim) {
        String name = name(claim);
        return name.startsWith("permutation:") ? PERMUTATION_GROUP : name;
    }

    /** The representations given in a claim's parentheses, {@code E(3)(feats=irrep:1)} → {feats=irrep:1}. */
    public static Map<String, String> representations(String claim) {
        Map<String, String> out = new LinkedHashMap<>();
        String name = name(claim);
        String rest = claim.strip().substring(name.length()).strip();
        if (rest.isEmpty()) {
            return out;
        }
        if (!rest.startsWith("(") || !rest.endsWith(")")) {
            throw new InvalidInputException("claim", "expected GROUP or GROUP(key=representation,...), got '" + claim + "'");
        }
        for (String pair : rest.substring(1, rest.length() - 1).split(",")) {
            int eq = pair.indexOf('=');
            if (eq < 0) {
                throw new InvalidInputException("claim", "expected key=representation in '" + claim + "', got '" + pair + "'");
            }
            out.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
        }
        return out;
    }

    /** The claim without its representations: {@code E(3)(feats=scalar)} → {@code E(3)}. */
    private static String name(String claim) {
        String s = claim.strip();
        int open = s.indexOf('(');
        if (open < 0) {
            return s;
        }
        int close = s.indexOf(')', open);
        boolean groupParens = close > open && s.substring(open + 1, close).chars().allMatch(Character::isDigit);
        return groupParens ? s.substring(0, close + 1) : s.substring(0, open);
    }

    /**
     * Certifies an equivariant method's claim.
     *
     * @param method  the method
     * @param claim   the claim, e.g. {@code E(3)}
     * @param group   the group named by {@link #groupId(String) groupId(claim)}
     * @param params  method parameters for every call
     * @param dtype   element type the method computes in
     * @param trials  group elements to try, at least 1
     * @param seed    seed of the elements and the inputs
     * @param backend where the method computes
     * @return one finding per output
     */
    public static List<Finding> certify(EquivariantMethod method, String claim, SymmetryGroup group,
                                        Map<String, String> params, DType dtype, int trials, long seed,
                                        ComputeBackend backend) {
        double tolerance = tolerance(dtype);
        requireTrials(trials);
        Map<String, String> reps = representations(claim);
        String coordsRep = reps.getOrDefault("coords", SymmetryGroup.POINTS);
        String featsRep = reps.getOrDefault("feats", SymmetryGroup.SCALAR);
        int dim = group.dimension() > 0 ? group.dimension() : 3;
        int channels = featsRep.startsWith("irrep:") ? 2 * Integer.parseInt(featsRep.substring(6).strip()) + 1 : CHANNELS;
        SplittableRandom random = new SplittableRandom(seed);
        Worst coords = new Worst();
        Worst feats = new Worst();
        boolean hasCoords = false;
        for (int t = 0; t < trials; t++) {
            GroupElement g = group.sample(random);
            Tensor x = uniform(random, NODES, dim);
            Tensor h = featsRep.equals(SymmetryGroup.IMAGE) ? uniform(random, IMAGE_CHANNELS, IMAGE_SIZE, IMAGE_SIZE)
                : uniform(random, NODES, channels);
            Tensor v = uniform(random, NODES, dim);
            Tensor gv = velocities(group, g, v);
            GeometricOutput plain = method.apply(new GeometricInput(x.to(dtype), h.to(dtype), null,
                gv == null ? null : v.to(dtype), seed, params), backend);
            GeometricOutput moved = method.apply(new GeometricInput(group.act(g, coordsRep, x).to(dtype),
                group.act(g, featsRep, h).to(dtype), null, gv == null ? null : gv.to(dtype), seed, params), backend);
            if (plain.coords() != null) {
                hasCoords = true;
                coords.offer(moved.coords(), group.act(g, coordsRep, plain.coords().to(DType.FLOAT64)), t, g);
            }
            feats.offer(moved.feats(), group.act(g, featsRep, plain.feats().to(DType.FLOAT64)), t, g);
        }
        List<Finding> out = new ArrayList<>();
        if (hasCoords) {
            out.add(coords.finding(claim, "coords", coordsRep, dtype, trials, tolerance));
        }
        out.add(feats.finding(claim, "feats", featsRep, dtype, trials, tolerance));
        return out;
    }

    /**
     * Certifies an attention method's permutation claim (see the class documentation).
     *
     * @param method       the method
     * @param claim        {@value #PERMUTATION_TOKENS}, {@value #PERMUTATION_QUERIES} or {@value #PERMUTATION_KEYS},
     *                     optionally with method parameters in parentheses
     * @param permutations the group {@value #PERMUTATION_GROUP}
     * @param params       method parameters for every call (the claim's override them)
     * @param dtype        element type of q, k, v
     * @param trials       permutations to try, at least 1
     * @param seed         seed of the permutations and the inputs
     * @param backend      where the method computes
     * @return the finding for the output {@code out}
     */
    public static Finding certify(AttentionMechanism method, String claim, SymmetryGroup permutations,
                                  Map<String, String> params, DType dtype, int trials, long seed,
                                  ComputeBackend backend) {
        double tolerance = tolerance(dtype);
        requireTrials(trials);
        String name = name(claim);
        boolean queries = name.equals(PERMUTATION_TOKENS) || name.equals(PERMUTATION_QUERIES);
        boolean keys = name.equals(PERMUTATION_TOKENS) || name.equals(PERMUTATION_KEYS);
        if (!queries && !keys) {
            return new Finding(claim, "out", "", dtype, 0, Double.NaN, tolerance, "no certificate for this claim; "
                + "expected one of " + List.of(PERMUTATION_TOKENS, PERMUTATION_QUERIES, PERMUTATION_KEYS));
        }
        Map<String, String> p = new LinkedHashMap<>(params);
        p.putAll(representations(claim));
        String tokens = "axis:2";
        SplittableRandom random = new SplittableRandom(seed);
        Worst out = new Worst();
        for (int t = 0; t < trials; t++) {
            GroupElement g = permutations.sample(random);
            Tensor q = uniform(random, 1, HEADS, TOKENS, HEAD_DIM);
            Tensor k = uniform(random, 1, HEADS, TOKENS, HEAD_DIM);
            Tensor v = uniform(random, 1, HEADS, TOKENS, HEAD_DIM);
            Tensor plain = method.attend(new AttentionCall(q.to(dtype), k.to(dtype), v.to(dtype), null, p), backend);
            Tensor pq = queries ? permutations.act(g, tokens, q) : q;
            Tensor pk = keys ? permutations.act(g, tokens, k) : k;
            Tensor pv = keys ? permutations.act(g, tokens, v) : v;
            Tensor moved = method.attend(new AttentionCall(pq.to(dtype), pk.to(dtype), pv.to(dtype), null, p), backend);
            Tensor plain64 = plain.to(DType.FLOAT64);
            out.offer(moved, queries ? permutations.act(g, tokens, plain64) : plain64, t, g);
        }
        return out.finding(claim, "out", queries ? tokens : SymmetryGroup.SCALAR, dtype, trials, tolerance);
    }

    /** g·v for velocities, or null (no velocities passed) when the group does not act on vectors. */
    private static Tensor velocities(SymmetryGroup group, GroupElement g, Tensor v) {
        try {
            return group.act(g, SymmetryGroup.VECTOR, v);
        } catch (InvalidInputException e) {
            return null;
        }
    }

    private static void requireTrials(int trials) {
        if (trials < 1) {
            throw new InvalidInputException("trials", "expected at least 1, got " + trials);
        }
    }

    private static Tensor uniform(SplittableRandom random, int... shape) {
        Tensor t = Tensor.zeros(DType.FLOAT64, shape);
        for (int i = 0; i < t.size(); i++) {
            t.setFlat(i, random.nextDouble(-1, 1));
        }
        return t;
    }

    /** The largest error seen so far for one output, with where it was seen. */
    private static final class Worst {
        private double error;
        private String detail = "";

        void offer(Tensor actual, Tensor expected, int trial, GroupElement g) {
            if (actual == null || actual.size() != expected.size()) {
                error = Double.POSITIVE_INFINITY;
                detail = "trial " + trial + ": output of " + (actual == null ? "nothing" : actual.size() + " elements")
                    + " where " + expected.size() + " were expected";
                return;
            }
            double scale = 1;
            for (int i = 0; i < expected.size(); i++) {
                scale = Math.max(scale, Math.abs(expected.getFlat(i)));
            }
            double worst = 0;
            for (int i = 0; i < expected.size(); i++) {
                double d = Math.abs(actual.getFlat(i) - expected.getFlat(i));
                worst = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(worst, d);
            }
            worst /= scale;
            if (worst > error || detail.isEmpty()) {
                error = Math.max(error, worst);
                String element = g.describe();
                detail = "trial " + trial + ", g = " + (element.length() > 60 ? element.substring(0, 57) + "..." : element);
            }
        }

        Finding finding(String claim, String output, String representation, DType dtype, int trials, double tolerance) {
            return new Finding(claim, output, representation, dtype, trials, error, tolerance, detail);
        }
    }
}
