package org.attune.symmetry.e3;

import org.attune.api.tensor.InvalidInputException;

/**
 * Radial bases for filters R(|r|) of equivariant networks, each a function of the distance only (so
 * invariant under E(3)), with a cutoff c:
 * <ul>
 * <li>{@link #gaussian}: e_k(r) = exp(−γ (r − μ_k)²), μ_k = c·k/(K − 1), γ = ((K − 1)/c)²/2 — SchNet,
 * Schütt et al., "SchNet: A continuous-filter convolutional neural network for modeling quantum
 * interactions", arXiv:1706.08566 (Gaussian RBF expansion of distances).</li>
 * <li>{@link #bessel}: e_n(r) = √(2/c) sin(nπ r/c)/r, n = 1..K, orthonormal on [0, c] with weight r² —
 * DimeNet, Gasteiger et al., "Directional Message Passing for Molecular Graphs", arXiv:2003.03123.</li>
 * <li>{@link #cosineCutoff}: ½(cos(π r/c) + 1) for r &lt; c, else 0 — smooth to first order at c.</li>
 * </ul>
 */
public final class RadialBasis {
    private RadialBasis() {
    }

    /** K Gaussians with centres evenly spaced on [0, c]. */
    public static double[] gaussian(double r, int k, double cutoff) {
        require(k, cutoff);
        double[] out = new double[k];
        double step = k == 1 ? cutoff : cutoff / (k - 1);
        double gamma = 0.5 / (step * step);
        for (int i = 0; i < k; i++) {
            double d = r - step * i;
            out[i] = Math.exp(-gamma * d * d);
        }
        return out;
    }

    /** K spherical Bessel functions of order 0 (r &gt; 0; the limit nπ/c·√(2/c) at r = 0). */
    public static double[] bessel(double r, int k, double cutoff) {
        require(k, cutoff);
        double[] out = new double[k];
        double norm = Math.sqrt(2 / cutoff);
        for (int n = 1; n <= k; n++) {
            double w = n * Math.PI / cutoff;
            out[n - 1] = r == 0 ? norm * w : norm * Math.sin(w * r) / r;
        }
        return out;
    }

    /** ½(cos(π r/c) + 1) inside the cutoff, 0 outside. */
    public static double cosineCutoff(double r, double cutoff) {
        require(1, cutoff);
        return r < cutoff ? 0.5 * (Math.cos(Math.PI * r / cutoff) + 1) : 0;
    }

    private static void require(int k, double cutoff) {
        if (k < 1) {
            throw new InvalidInputException("k", "expected at least one basis function, got " + k);
        }
        if (!(cutoff > 0)) {
            throw new InvalidInputException("cutoff", "expected > 0, got " + cutoff);
        }
    }
}
