package org.attune.shell;

import java.nio.file.Path;
import java.util.Locale;

import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;

/**
 * What {@code attention:run} computed: the output's shape and two checksums, printed by Gogo through
 * {@link #toString()}; the fields stay reachable from a Gogo variable ({@code r = attention:run ...; $r sum}).
 *
 * @param method  method id
 * @param backend backend id the call went to
 * @param shape   output shape
 * @param dtype   output element type
 * @param sum     Σ x over the output, in float64
 * @param sumAbs  Σ |x| over the output, in float64
 * @param written the {@code --out} file, or null
 */
public record RunResult(String method, String backend, int[] shape, DType dtype, double sum, double sumAbs, Path written) {

    /** The result of running {@code method} on {@code backend} with output {@code out}, written to {@code written}. */
    static RunResult of(String method, String backend, Tensor out, Path written) {
        double s = 0;
        double a = 0;
        for (int i = 0, n = out.size(); i < n; i++) {
            double x = out.getFlat(i);
            s += x;
            a += Math.abs(x);
        }
        return new RunResult(method, backend, out.shape(), out.dtype(), s, a, written);
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public String toString() {
        return method + " on " + backend + ": output " + Tensor.format(shape) + " " + dtype.shortName() + ", sum "
            + String.format(Locale.ROOT, "%.9g", sum) + ", sum|x| " + String.format(Locale.ROOT, "%.9g", sumAbs)
            + (written == null ? "" : "\nwrote " + written + " (float32)");
    }
}
