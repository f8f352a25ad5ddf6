package org.attune.attention.core;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

import org.attune.api.attention.AttentionMechanism;
import org.attune.api.equivariance.EquivarianceCertificate;
import org.attune.api.equivariance.GroupElement;
import org.attune.api.equivariance.SymmetryGroup;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/**
 * The permutations of n tokens, S_n, acting on axis 2 of [B, H, n, D] tensors ({@code axis:2}) and trivially on
 * {@code scalar} data: the group {@link EquivarianceCertificate} needs to certify an attention method's permutation
 * claims without the symmetry bundle. g·x moves token i of x to position g(i): (g·x)[.., g(i), ..] = x[.., i, ..].
 */
final class TokenPermutations implements SymmetryGroup {
    private final int n;

    TokenPermutations(int n) {
        this.n = n;
    }

    /**
     * Certifies {@code claim} of {@code method} with the certifier's own inputs (11 tokens, so n = 11), 20 trials.
     */
    static EquivarianceCertificate.Finding certify(AttentionMechanism method, String claim, Map<String, String> params,
                                                   DType dtype) {
        return EquivarianceCertificate.certify(method, claim, new TokenPermutations(11), params, dtype, 20, 17,
            Fixtures.BACKEND);
    }

    /** A permutation as the image of each token. */
    private record Permutation(int[] image) implements GroupElement {
        @Override
        public String group() {
            return EquivarianceCertificate.PERMUTATION_GROUP;
        }

        @Override
        public String describe() {
            return Arrays.toString(image);
        }
    }

    @Override
    public int dimension() {
        return 0;
    }

    @Override
    public GroupElement sample(SplittableRandom random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return new Permutation(p);
    }

    @Override
    public GroupElement compose(GroupElement a, GroupElement b) {
        int[] pa = ((Permutation) a).image();
        int[] pb = ((Permutation) b).image();
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = pa[pb[i]];
        }
        return new Permutation(p);
    }

    @Override
    public GroupElement inverse(GroupElement g) {
        int[] pg = ((Permutation) g).image();
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[pg[i]] = i;
        }
        return new Permutation(p);
    }

    @Override
    public Tensor act(GroupElement g, String representation, Tensor x) {
        if (representation.equals(SCALAR)) {
            return x.copy();
        }
        if (!representation.equals("axis:2") || x.rank() != 4 || x.dim(2) != n) {
            throw new InvalidInputException(representation, "expected axis:2 of a [B, H, " + n + ", D] tensor, got "
                + Tensor.format(x.shape()));
        }
        int[] p = ((Permutation) g).image();
        Tensor y = Tensor.zeros(x.dtype() == DType.FLOAT32 ? DType.FLOAT32 : DType.FLOAT64, x.shape());
        for (int b = 0; b < x.dim(0); b++) {
            for (int h = 0; h < x.dim(1); h++) {
                for (int i = 0; i < n; i++) {
                    y.select(b).select(h).select(p[i]).copyFrom(x.select(b).select(h).select(i));
                }
            }
        }
        return y;
    }
}
