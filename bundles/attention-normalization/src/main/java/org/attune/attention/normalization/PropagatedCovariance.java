package org.attune.attention.normalization;

import org.attune.api.tensor.InvalidInputException;

/**
 * The pairwise covariance of Adaptive Filter Attention's isotropic model (every mode of the diagonalised state
 * matrix has the same real part Re λ = −α ≤ 0, process noise σ², key measurement noise η², query anchor noise γ²),
 * as a function of the time |Δt| between a key and the query it is propagated to. Racioppo, "Attention as an
 * Adaptive Filter", arXiv:2509.04154: the closed-form solution of the differential Lyapunov equation
 * dV/ds = A V + V Aᴴ + Q, V(0) = 0, per mode λ with process noise q,
 * <pre>
 *   V_F(Δt) = ∫₀^Δt e^{λs} q e^{λ̄s} ds = q · (e^{2 Re λ · Δt} − 1) / (2 Re λ)   (q · Δt when Re λ = 0)
 * </pre>
 * plus the key's measurement noise carried along the same decay and the query's own noise:
 * <pre>
 *   V(Δt) = σ² (1 − e^{−2α|Δt|}) / (2α) + η² e^{−2α|Δt|} + γ²
 * </pre>
 * the form of the author's isotropic implementation ({@code compute_covariance_matrix_safe}, computed here with
 * expm1 so that small α·|Δt| loses no digits). The imaginary parts of λ cancel in e^{λs} e^{λ̄s}, so rotations do
 * not change the covariance. V(0) = η² + γ² must be positive, so that every propagated precision 1/V is finite.
 */
final class PropagatedCovariance {
    private final double decay;
    private final double processNoise;
    private final double measurementNoise;
    private final double anchorNoise;

    /**
     * @param decay            α = −Re λ ≥ 0
     * @param processNoise     σ² ≥ 0
     * @param measurementNoise η² ≥ 0
     * @param anchorNoise      γ² ≥ 0, with η² + γ² &gt; 0
     * @throws InvalidInputException naming the {@code --opt} that is out of range
     */
    PropagatedCovariance(double decay, double processNoise, double measurementNoise, double anchorNoise) {
        requireNonNegative("decay", decay);
        requireNonNegative("process-noise", processNoise);
        requireNonNegative("measurement-noise", measurementNoise);
        requireNonNegative("anchor-noise", anchorNoise);
        if (!(measurementNoise + anchorNoise > 0)) {
            throw new InvalidInputException("--opt measurement-noise", "measurement-noise + anchor-noise must be"
                + " positive (V(0) = eta^2 + gamma^2 is the least covariance), got " + measurementNoise + " + "
                + anchorNoise);
        }
        this.decay = decay;
        this.processNoise = processNoise;
        this.measurementNoise = measurementNoise;
        this.anchorNoise = anchorNoise;
    }

    private static void requireNonNegative(String name, double x) {
        if (!(x >= 0) || !Double.isFinite(x)) {
            throw new InvalidInputException("--opt " + name, "must be finite and >= 0, got " + x);
        }
    }

    /**
     * The Lyapunov term of one mode: q · (e^{2 re · t} − 1) / (2 re) for t ≥ 0, re = Re λ ≤ 0; q · t when re = 0.
     */
    static double lyapunov(double q, double re, double t) {
        return re == 0 ? q * t : q * Math.expm1(2 * re * t) / (2 * re);
    }

    /** e^{−α|Δt|}: the factor by which a key's state shrinks when propagated over |Δt|. */
    double transport(double dt) {
        return Math.exp(-decay * Math.abs(dt));
    }

    /** V(Δt) = σ² (1 − e^{−2α|Δt|}) / (2α) + η² e^{−2α|Δt|} + γ². */
    double at(double dt) {
        double t = Math.abs(dt);
        return lyapunov(processNoise, -decay, t) + measurementNoise * Math.exp(-2 * decay * t) + anchorNoise;
    }
}
