package org.attune.symmetry;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.attune.api.equivariance.GroupElement;
import org.attune.api.equivariance.SymmetryGroup;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/**
 * The symmetric group S_n of tokens, nodes or heads, for every n at once (see {@link Permutation}): object i
 * moves to position σ(i). Data indexed by the permuted objects, {@code sequence}, {@code points},
 * {@code vector} and {@code scalar} (per-object rows) along axis 0, {@code axis:k} along axis k, is reordered
 * as {@code (σ·x)[σ(i)] = x[i]}; {@code edges:N} (int64 [2, edges] indices of N nodes) are relabelled i ↦ σ(i), σ taken at length N.
 * Sampling: one uniform permutation at every length (the Haar measure of S_n).
 */
final class PermutationGroup implements SymmetryGroup {
    @Override
    public int dimension() {
        return 0;
    }

    @Override
    public GroupElement sample(SplittableRandom random) {
        return new Permutation(new long[] {random.nextLong()}, new boolean[] {false});
    }

    @Override
    public GroupElement compose(GroupElement a, GroupElement b) {
        Permutation x = own(a, "a");
        Permutation y = own(b, "b");
        long[] seeds = Arrays.copyOf(y.seeds(), y.seeds().length + x.seeds().length);
        boolean[] inverted = Arrays.copyOf(y.inverted(), seeds.length);
        System.arraycopy(x.seeds(), 0, seeds, y.seeds().length, x.seeds().length);
        System.arraycopy(x.inverted(), 0, inverted, y.seeds().length, x.seeds().length);
        return new Permutation(seeds, inverted);
    }

    @Override
    public GroupElement inverse(GroupElement g) {
        Permutation x = own(g, "g");
        int m = x.seeds().length;
        long[] seeds = new long[m];
        boolean[] inverted = new boolean[m];
        for (int f = 0; f < m; f++) {
            seeds[f] = x.seeds()[m - 1 - f];
            inverted[f] = !x.inverted()[m - 1 - f];
        }
        return new Permutation(seeds, inverted);
    }

    @Override
    public Tensor act(GroupElement g, String representation, Tensor x) {
        Permutation p = own(g, "g");
        int axis;
        switch (representation) {
            case SCALAR, VECTOR, POINTS, SEQUENCE -> axis = 0;
            default -> {
                if (representation.startsWith(EDGES)) {
                    return edges(p, representation, x);
                }
                if (!representation.startsWith("axis:")) {
                    throw AxisMaps.unsupported(Permutation.GROUP, representation,
                        "scalar, vector, points, sequence (axis 0), axis:K, edges:N");
                }
                axis = AxisMaps.axis(representation, x);
            }
        }
        if (x.rank() == 0) {
            throw InvalidInputException.shape(representation, "[objects, ...]", x.shape());
        }
        int n = x.dim(axis);
        int[] map = p.at(n);
        int[] source = new int[n];
        for (int i = 0; i < n; i++) {
            source[map[i]] = i;
        }
        return AxisMaps.gather(x, axis, source);
    }

    private static Tensor edges(Permutation p, String representation, Tensor x) {
        int n;
        try {
            n = Integer.parseInt(representation.substring(EDGES.length()).strip());
        } catch (NumberFormatException e) {
            throw new InvalidInputException(representation, "expected edges:N with the node count N");
        }
        if (x.dtype() != DType.INT64 || x.rank() != 2 || x.dim(0) != 2) {
            throw InvalidInputException.shape(representation, "int64 [2, edges]", x.shape());
        }
        for (int i = 0; i < x.size(); i++) {
            long v = (long) x.getFlat(i);
            if (v < 0 || v >= n) {
                throw new InvalidInputException(representation, "node indices must be in [0, " + n + "), got " + v);
            }
        }
        int[] map = p.at(n);
        Tensor out = Tensor.zeros(DType.INT64, x.shape());
        for (int i = 0; i < x.size(); i++) {
            out.longData()[i] = map[(int) x.getFlat(i)];
        }
        return out;
    }

    private static Permutation own(GroupElement g, String argument) {
        if (g instanceof Permutation p) {
            return p;
        }
        throw new InvalidInputException(argument, "expected an element of S_n, got one of "
            + (g == null ? "no group" : g.group()));
    }
}
