package org.attune.symmetry;

import java.util.SplittableRandom;

import org.attune.api.equivariance.GroupElement;
import org.attune.api.equivariance.SymmetryGroup;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/**
 * Shifts in one or two dimensions: the integer translations ℤ, ℤ² (ids {@code Z}, {@code Z^2}) acting on
 * integer positions (int64 [..., d]: p ↦ p + s), and the cyclic shifts ℤ_N, ℤ_N² (ids {@code Z_N},
 * {@code Z_N^2}) acting on data by rolling, with N the data's length: a {@code sequence} (or {@code axis:k}) by
 * {@code out[(i + s) mod N] = x[i]}, an {@code image} [..., H, W] by {@code out[(i + s₀) mod H][(j + s₁) mod W] =
 * x[i][j]}. Product: offsets add; inverse: negated offsets.
 *
 * <p>Sampling: cyclic offsets uniform in [0, 720720), exactly uniform modulo every N dividing 720720 (all
 * N ≤ 16 among them, since 720720 = lcm(1, …, 16)) and within 2·10⁻⁵ of uniform otherwise; integer offsets,
 * which have no Haar probability measure, uniform in [−1000, 1000].
 */
final class ShiftGroup implements SymmetryGroup {
    static final int CYCLIC_RANGE = 720_720;
    static final int INTEGER_RANGE = 1000;

    private final String id;
    private final int axes;
    private final boolean cyclic;

    ShiftGroup(int axes, boolean cyclic) {
        this.id = (cyclic ? "Z_N" : "Z") + (axes == 2 ? "^2" : "");
        this.axes = axes;
        this.cyclic = cyclic;
    }

    String id() {
        return id;
    }

    @Override
    public int dimension() {
        return 0;
    }

    @Override
    public GroupElement sample(SplittableRandom random) {
        long[] s = new long[axes];
        for (int a = 0; a < axes; a++) {
            s[a] = cyclic ? random.nextInt(CYCLIC_RANGE) : random.nextInt(-INTEGER_RANGE, INTEGER_RANGE + 1);
        }
        return new Shift(id, s);
    }

    @Override
    public GroupElement compose(GroupElement a, GroupElement b) {
        Shift x = own(a, "a");
        Shift y = own(b, "b");
        long[] s = new long[axes];
        for (int i = 0; i < axes; i++) {
            s[i] = x.offsets()[i] + y.offsets()[i];
        }
        return new Shift(id, s);
    }

    @Override
    public GroupElement inverse(GroupElement g) {
        Shift x = own(g, "g");
        long[] s = new long[axes];
        for (int i = 0; i < axes; i++) {
            s[i] = -x.offsets()[i];
        }
        return new Shift(id, s);
    }

    @Override
    public Tensor act(GroupElement g, String representation, Tensor x) {
        Shift e = own(g, "g");
        if (!cyclic) {
            if (!representation.equals(POSITIONS)) {
                throw AxisMaps.unsupported(id, representation, "positions (int64 [..., " + axes + "])");
            }
            if (x.dtype() != DType.INT64 || x.rank() == 0 || x.dim(-1) != axes) {
                throw InvalidInputException.shape(representation, "int64 [..., " + axes + "]", x.shape());
            }
            Tensor out = x.copy();
            for (int i = 0; i < out.size(); i++) {
                out.longData()[i] += e.offsets()[i % axes];
            }
            return out;
        }
        if (axes == 2) {
            if (!representation.equals(IMAGE)) {
                throw AxisMaps.unsupported(id, representation, "image [..., H, W]");
            }
            if (x.rank() < 2) {
                throw InvalidInputException.shape(representation, "[..., H, W]", x.shape());
            }
            return roll(roll(x, x.rank() - 2, e.offsets()[0]), x.rank() - 1, e.offsets()[1]);
        }
        if (representation.equals(SEQUENCE) && x.rank() > 0) {
            return roll(x, 0, e.offsets()[0]);
        }
        if (representation.startsWith("axis:")) {
            return roll(x, AxisMaps.axis(representation, x), e.offsets()[0]);
        }
        throw AxisMaps.unsupported(id, representation, "sequence [length, ...], axis:K");
    }

    private static Tensor roll(Tensor x, int axis, long shift) {
        int n = x.dim(axis);
        int[] source = new int[n];
        for (int i = 0; i < n; i++) {
            source[(int) Math.floorMod(i + shift, (long) n)] = i;
        }
        return AxisMaps.gather(x, axis, source);
    }

    private Shift own(GroupElement g, String argument) {
        if (g instanceof Shift s && s.group().equals(id)) {
            return s;
        }
        throw new InvalidInputException(argument, "expected an element of " + id + ", got one of "
            + (g == null ? "no group" : g.group()));
    }
}
