package org.attune.symmetry;

import java.util.SplittableRandom;

import org.attune.api.equivariance.GroupElement;
import org.attune.api.equivariance.SymmetryGroup;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/**
 * The cyclic group C_n (rotations of the plane by multiples of 2π/n) and the dihedral group D_n (with the
 * reflection s: (x, y) ↦ (x, −y)). Elements r^k·s^f; product r^a s^f · r^b s^e = r^(a + (−1)^f b) s^(f ⊕ e),
 * since s·r = r⁻¹·s.
 *
 * <p>Actions: vectors and points [..., 2] by the matrix rot(2πk/n)·diag(1, (−1)^f); scalars unchanged; images
 * [..., H, W] (n dividing 4, H = W for odd quarter turns) by k·4/n counter-clockwise quarter turns
 * {@code out[i][j] = x[j][W−1−i]} (NumPy's {@code rot90}), after reversing the rows when flipped.
 * Sampling: uniform (the Haar measure of a finite group).
 */
final class PlanarGroup implements SymmetryGroup {
    private final String id;
    private final int n;
    private final boolean dihedral;

    PlanarGroup(int n, boolean dihedral) {
        this.id = (dihedral ? "D_" : "C_") + n;
        this.n = n;
        this.dihedral = dihedral;
    }

    String id() {
        return id;
    }

    @Override
    public int dimension() {
        return 2;
    }

    @Override
    public GroupElement sample(SplittableRandom random) {
        return new PlanarSymmetry(id, n, random.nextInt(n), dihedral && random.nextBoolean());
    }

    @Override
    public GroupElement compose(GroupElement a, GroupElement b) {
        PlanarSymmetry x = own(a, "a");
        PlanarSymmetry y = own(b, "b");
        int k = Math.floorMod(x.k() + (x.flipped() ? -y.k() : y.k()), n);
        return new PlanarSymmetry(id, n, k, x.flipped() ^ y.flipped());
    }

    @Override
    public GroupElement inverse(GroupElement g) {
        PlanarSymmetry x = own(g, "g");
        return x.flipped() ? x : new PlanarSymmetry(id, n, Math.floorMod(-x.k(), n), false);
    }

    @Override
    public Tensor act(GroupElement g, String representation, Tensor x) {
        PlanarSymmetry e = own(g, "g");
        switch (representation) {
            case SCALAR:
                return x.copy();
            case VECTOR:
            case POINTS:
                double angle = 2 * Math.PI * e.k() / n;
                double c = Math.cos(angle);
                double s = Math.sin(angle);
                double f = e.flipped() ? -1 : 1;
                return AxisMaps.affineLastAxis(x, new double[] {c, -s * f, s, c * f}, null, 2, representation);
            case IMAGE:
                return image(e, x);
            default:
                throw AxisMaps.unsupported(id, representation, "scalar, vector, points, image");
        }
    }

    private Tensor image(PlanarSymmetry e, Tensor x) {
        if (4 % n != 0) {
            throw new InvalidInputException(IMAGE, id + " rotates by " + (360.0 / n) + "°, which is not a multiple of "
                + "90° and does not map the pixel grid to itself");
        }
        if (x.rank() < 2) {
            throw InvalidInputException.shape(IMAGE, "[..., H, W]", x.shape());
        }
        int h = x.dim(-2);
        int w = x.dim(-1);
        int quarter = e.k() * (4 / n);
        if (quarter % 2 == 1 && h != w) {
            throw InvalidInputException.shape(IMAGE, "[..., H, W] with H = W for a quarter turn", x.shape());
        }
        int[] source = new int[h * w];
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                // the pixel (i, j) of the result reads: rot90^quarter, then (when flipped) first reverse the rows
                // rot90 applied `quarter` times (odd counts only on square grids, checked above)
                int si;
                int sj;
                switch (quarter % 4) {
                    case 0 -> {
                        si = i;
                        sj = j;
                    }
                    case 1 -> {
                        si = j;
                        sj = w - 1 - i;
                    }
                    case 2 -> {
                        si = h - 1 - i;
                        sj = w - 1 - j;
                    }
                    default -> {
                        si = h - 1 - j;
                        sj = i;
                    }
                }
                if (e.flipped()) {
                    si = h - 1 - si;
                }
                source[i * w + j] = si * w + sj;
            }
        }
        int[] shape = x.shape();
        int[] flat = java.util.Arrays.copyOf(shape, shape.length - 1);
        flat[flat.length - 1] = h * w;
        return AxisMaps.gather(x.reshape(flat), flat.length - 1, source).reshape(shape);
    }

    private PlanarSymmetry own(GroupElement g, String argument) {
        if (g instanceof PlanarSymmetry p && p.group().equals(id)) {
            return p;
        }
        throw new InvalidInputException(argument, "expected an element of " + id + ", got one of "
            + (g == null ? "no group" : g.group()));
    }
}
