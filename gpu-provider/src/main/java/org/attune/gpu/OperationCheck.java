package org.attune.gpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Function;

import org.attune.api.backend.BinaryOp;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.backend.Reduction;
import org.attune.api.backend.UnaryOp;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;

/**
 * The non-attention operations of one backend checked against a reference backend (the float64-accurate
 * {@code java} backend) on seeded random float32 inputs whose sizes break the kernels' tiles: matrix products
 * with every transpose combination and a shared right operand, masked softmax along each axis, every unary and
 * binary function (the binary ones with broadcasting), every reduction along each axis. An error is
 * max |x − ref| / max(|ref|, 1); a case passes at {@value #TOLERANCE}, the float32 rounding of sums of up to a
 * hundred terms.
 */
final class OperationCheck {
    /** Largest normalised error that passes. */
    static final double TOLERANCE = 1e-5;

    /** One case's outcome. */
    record Result(String name, double error) {
        boolean passed() {
            return error <= TOLERANCE;
        }
    }

    private final SplittableRandom random = new SplittableRandom(20261128);

    private OperationCheck() {
    }

    /** Runs every case on {@code tested} and {@code reference}. */
    static List<Result> run(ComputeBackend tested, ComputeBackend reference) {
        return new OperationCheck().cases(tested, reference);
    }

    private List<Result> cases(ComputeBackend t, ComputeBackend r) {
        List<Result> results = new ArrayList<>();
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                Tensor a = uniform(-1, 1, ta ? new int[] {3, 100, 65} : new int[] {3, 65, 100});
                Tensor b = uniform(-1, 1, tb ? new int[] {3, 67, 100} : new int[] {3, 100, 67});
                results.add(compare("matmul" + (ta ? " aT" : "") + (tb ? " bT" : ""),
                    bk -> bk.matmul(a, b, ta, tb, null), t, r));
            }
        }
        Tensor batched = uniform(-1, 1, 5, 33, 70);
        Tensor shared = uniform(-1, 1, 70, 129);
        results.add(compare("matmul shared b", bk -> bk.matmul(batched, shared, false, false, null), t, r));

        Tensor x = uniform(-3, 3, 4, 37, 50);
        boolean[] allowed = new boolean[37 * 50];
        for (int i = 0; i < allowed.length; i++) {
            allowed[i] = random.nextDouble() < 0.7 && i / 50 != 3;   // row 3 fully masked along the last axis
        }
        Tensor mask = Tensor.of(allowed, 37, 50);
        for (int axis = 0; axis < 3; axis++) {
            int ax = axis;
            results.add(compare("softmax axis " + ax, bk -> bk.softmax(x, ax, null, null), t, r));
            results.add(compare("softmax axis " + ax + " masked", bk -> bk.softmax(x, ax, mask, null), t, r));
        }
        for (UnaryOp op : UnaryOp.values()) {
            boolean positive = op == UnaryOp.LOG || op == UnaryOp.SQRT || op == UnaryOp.RECIPROCAL;
            Tensor in = positive ? uniform(0.1, 4, 7, 301) : uniform(-4, 4, 7, 301);
            results.add(compare("unary " + op.name().toLowerCase(Locale.ROOT), bk -> bk.unary(op, in, null), t, r));
        }
        for (BinaryOp op : BinaryOp.values()) {
            boolean positive = op == BinaryOp.POW || op == BinaryOp.DIV;
            Tensor a = positive ? uniform(0.5, 2, 6, 1, 33) : uniform(-2, 2, 6, 1, 33);
            Tensor b = positive ? uniform(0.5, 2, 5, 1) : uniform(-2, 2, 5, 1);
            results.add(compare("binary " + op.name().toLowerCase(Locale.ROOT) + " [6,1,33]x[5,1]",
                bk -> bk.binary(op, a, b, null), t, r));
        }
        Tensor y = uniform(-3, 3, 6, 45, 70);
        for (Reduction red : Reduction.values()) {
            for (int axis = 0; axis < 3; axis++) {
                int ax = axis;
                results.add(compare("reduce " + red.name().toLowerCase(Locale.ROOT) + " axis " + ax,
                    bk -> bk.reduce(red, y, ax, ax == 1), t, r));
            }
        }
        return results;
    }

    private Tensor uniform(double lo, double hi, int... shape) {
        Tensor x = Tensor.zeros(DType.FLOAT32, shape);
        for (int i = 0; i < x.size(); i++) {
            x.setFlat(i, lo + (hi - lo) * random.nextDouble());
        }
        return x;
    }

    private static Result compare(String name, Function<ComputeBackend, Tensor> op, ComputeBackend tested,
                                  ComputeBackend reference) {
        try {
            Tensor got = op.apply(tested);
            Tensor want = op.apply(reference);
            if (!java.util.Arrays.equals(got.shape(), want.shape())) {
                return new Result(name + " (shape " + Tensor.format(got.shape()) + " != " + Tensor.format(want.shape())
                    + ")", Double.POSITIVE_INFINITY);
            }
            double maxDiff = 0;
            double maxRef = 1;
            for (int i = 0; i < want.size(); i++) {
                double w = want.getFlat(i);
                double g = got.getFlat(i);
                double diff = Double.isNaN(w) && Double.isNaN(g) ? 0 : w == g ? 0 : Math.abs(g - w);
                maxDiff = Double.isNaN(diff) ? Double.POSITIVE_INFINITY : Math.max(maxDiff, diff);
                if (Double.isFinite(w)) {
                    maxRef = Math.max(maxRef, Math.abs(w));
                }
            }
            return new Result(name, maxDiff / maxRef);
        } catch (RuntimeException e) {
            return new Result(name + " (" + e.getMessage() + ")", Double.POSITIVE_INFINITY);
        }
    }

    /** The results as a table with a summary line. */
    static String format(List<Result> results) {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%-40s %12s %s%n", "CASE", "ERROR", "RESULT"));
        int failed = 0;
        for (Result r : results) {
            s.append(String.format(Locale.ROOT, "%-40s %12.3e %s%n", r.name(), r.error(), r.passed() ? "pass" : "FAIL"));
            failed += r.passed() ? 0 : 1;
        }
        return s.append(failed == 0 ? "all " + results.size() + " cases pass"
            : failed + " of " + results.size() + " cases FAIL").append(" (error = max|x - ref| / max(|ref|, 1), tolerance ")
            .append(TOLERANCE).append(')').toString();
    }
}
