package org.attune.symmetry;

import java.util.SplittableRandom;

import org.attune.api.equivariance.GroupElement;
import org.attune.api.equivariance.SymmetryGroup;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/**
 * The multiplicative group of positive reals, id {@code scaling}: s acts on vectors and points by x ↦ s·x, on
 * data of weight k ({@code weight:k}, e.g. 2 for areas, −1 for inverse distances) by x ↦ s^k·x, and leaves
 * scalars unchanged. Product: factors multiply; inverse: 1/s.
 *
 * <p>Sampling: the group has no Haar probability measure; s is log-uniform in [1/4, 4] (uniform in the
 * Haar coordinate log s on a bounded window).
 */
final class ScalingGroup implements SymmetryGroup {
    static final String ID = "scaling";
    static final double LOG_RANGE = Math.log(4);

    @Override
    public int dimension() {
        return 0;
    }

    @Override
    public GroupElement sample(SplittableRandom random) {
        return new Scale(Math.exp(random.nextDouble(-LOG_RANGE, LOG_RANGE)));
    }

    @Override
    public GroupElement compose(GroupElement a, GroupElement b) {
        return new Scale(own(a, "a").factor() * own(b, "b").factor());
    }

    @Override
    public GroupElement inverse(GroupElement g) {
        return new Scale(1 / own(g, "g").factor());
    }

    @Override
    public Tensor act(GroupElement g, String representation, Tensor x) {
        double s = own(g, "g").factor();
        if (representation.equals(SCALAR)) {
            return x.copy();
        }
        if (representation.equals(VECTOR) || representation.equals(POINTS)) {
            return AxisMaps.scaled(x, s, representation);
        }
        if (representation.startsWith("weight:")) {
            try {
                double k = Double.parseDouble(representation.substring(7).strip());
                return AxisMaps.scaled(x, Math.pow(s, k), representation);
            } catch (NumberFormatException e) {
                throw new InvalidInputException(representation, "expected weight:K with a number K");
            }
        }
        throw AxisMaps.unsupported(ID, representation, "scalar, vector, points, weight:K");
    }

    private static Scale own(GroupElement g, String argument) {
        if (g instanceof Scale s) {
            return s;
        }
        throw new InvalidInputException(argument, "expected an element of scaling, got one of "
            + (g == null ? "no group" : g.group()));
    }
}
