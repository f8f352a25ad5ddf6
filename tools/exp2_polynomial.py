"""Fits the polynomial of OnlineSoftmax.exp2Columns (backend-cpu): 2^t on |t| <= 1/2, degree 5, with p(0) = 1.

p(t) = 1 + c1 t + ... + c5 t^5: the constant is fixed at 1 so that the largest logit of a row weighs exactly 1.
Minimises the largest relative error |p(t) / 2^t - 1| by Lawson's iteratively reweighted least squares on
4,000 Chebyshev points (the result is the minimax polynomial to within a few per cent of its error), then
rounds the coefficients to float32 and reports the error of Horner's rule run in float32.

    python3 tools/exp2_polynomial.py      # prints the Java constants and the two errors
"""
import numpy as np

DEGREE = 5


def fit(degree, lo=-0.5, hi=0.5, rounds=300):
    t = np.cos(np.linspace(0, np.pi, 4000)) * (hi - lo) / 2 + (lo + hi) / 2
    f = 2.0 ** t
    powers = np.vander(t, degree + 1, increasing=True)[:, 1:]  # t, t^2, ..., t^degree
    w = np.ones_like(t)
    for _ in range(rounds):
        a = powers / f[:, None] * np.sqrt(w)[:, None]
        c, *_ = np.linalg.lstsq(a, np.sqrt(w) * (f - 1) / f, rcond=None)
        err = np.abs((1 + powers @ c) / f - 1)
        w = w * err
        w /= w.sum()
    return np.concatenate(([1.0], c)), err.max()


def horner_float32(coefficients, t):
    p = np.full_like(t, coefficients[-1])
    for c in coefficients[-2::-1]:
        p = (p * t + c).astype(np.float32)
    return p


if __name__ == "__main__":
    c, err = fit(DEGREE)
    c32 = [np.float32(x) for x in c]
    for i, x in enumerate(c32):
        print(f"    private static final float P{i} = {np.format_float_positional(x).rstrip('.')}f;")
    t = np.linspace(-0.5, 0.5, 200001).astype(np.float32)
    rel = np.abs(horner_float32(c32, t).astype(np.float64) / 2.0 ** t.astype(np.float64) - 1)
    print(f"relative error: {err:.2e} (float64 coefficients), {rel.max():.2e} (float32 Horner)")
