package org.attune.symmetry;

import java.util.SplittableRandom;

import org.attune.api.equivariance.GroupElement;
import org.attune.api.equivariance.SymmetryGroup;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.attune.symmetry.e3.WignerD;

/**
 * The Euclidean group E(n) = ℝⁿ ⋊ O(n) and its subgroups SE(n) (no reflections), O(n) (no translations) and
 * SO(n) (neither): g = (Q, t) acts on points as x ↦ Q·x + t, on vectors as v ↦ Q·v, and (n = 3) on irreps of
 * degree l as h ↦ D^l(Q)·h, with D^l the real Wigner-D matrix of {@link WignerD} (for det Q = −1 it carries the
 * parity (−1)^l). Product (Q₁, t₁)·(Q₂, t₂) = (Q₁Q₂, Q₁t₂ + t₁); inverse (Qᵀ, −Qᵀt).
 *
 * <p>Sampling: Q Haar on O(n) or SO(n) ({@link OrthogonalMatrices#haar}); t, which has no Haar probability
 * measure, standard normal per component.
 */
final class EuclideanGroup implements SymmetryGroup {
    private final String id;
    private final int n;
    private final boolean reflections;
    private final boolean translations;

    EuclideanGroup(String id, int n, boolean reflections, boolean translations) {
        this.id = id;
        this.n = n;
        this.reflections = reflections;
        this.translations = translations;
    }

    String id() {
        return id;
    }

    @Override
    public int dimension() {
        return n;
    }

    @Override
    public GroupElement sample(SplittableRandom random) {
        double[] q = OrthogonalMatrices.haar(n, !reflections, random);
        double[] t = new double[n];
        if (translations) {
            for (int i = 0; i < n; i++) {
                t[i] = OrthogonalMatrices.gaussian(random);
            }
        }
        return new Isometry(id, n, q, t);
    }

    @Override
    public GroupElement compose(GroupElement a, GroupElement b) {
        Isometry x = own(a, "a");
        Isometry y = own(b, "b");
        double[] t = OrthogonalMatrices.apply(x.rotation(), y.translation(), n);
        for (int i = 0; i < n; i++) {
            t[i] += x.translation()[i];
        }
        return new Isometry(id, n, OrthogonalMatrices.multiply(x.rotation(), y.rotation(), n), t);
    }

    @Override
    public GroupElement inverse(GroupElement g) {
        Isometry x = own(g, "g");
        double[] qt = OrthogonalMatrices.transpose(x.rotation(), n);
        double[] t = OrthogonalMatrices.apply(qt, x.translation(), n);
        for (int i = 0; i < n; i++) {
            t[i] = -t[i];
        }
        return new Isometry(id, n, qt, t);
    }

    @Override
    public Tensor act(GroupElement g, String representation, Tensor x) {
        Isometry e = own(g, "g");
        if (representation.equals(SCALAR)) {
            return x.copy();
        }
        if (representation.equals(VECTOR)) {
            return AxisMaps.affineLastAxis(x, e.rotation(), null, n, representation);
        }
        if (representation.equals(POINTS)) {
            if (x.rank() != 2) {
                throw InvalidInputException.shape(representation, "[nodes, " + n + "]", x.shape());
            }
            return AxisMaps.affineLastAxis(x, e.rotation(), e.translation(), n, representation);
        }
        if (representation.startsWith("irrep:") && n == 3) {
            int l;
            try {
                l = Integer.parseInt(representation.substring(6).strip());
            } catch (NumberFormatException ex) {
                throw new InvalidInputException(representation, "expected irrep:L with an integer degree L >= 0");
            }
            if (l < 0 || l > WignerD.MAX_DEGREE) {
                throw new InvalidInputException(representation, "expected a degree in [0, " + WignerD.MAX_DEGREE + "]");
            }
            return AxisMaps.affineLastAxis(x, WignerD.matrix(l, e.rotation()), null, 2 * l + 1, representation);
        }
        throw AxisMaps.unsupported(id, representation, "scalar, vector, points" + (n == 3 ? ", irrep:L" : ""));
    }

    private Isometry own(GroupElement g, String argument) {
        if (g instanceof Isometry i && i.group().equals(id)) {
            return i;
        }
        throw new InvalidInputException(argument, "expected an element of " + id + ", got one of "
            + (g == null ? "no group" : g.group()));
    }
}
