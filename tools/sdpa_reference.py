"""Float64 NumPy reference for `attention:run --causal sdpa`.

make DIR:  writes seeded q, k, v ([batch, heads, seq, dim], float32) to DIR
check DIR: compares DIR/o.npy (written by Attune) with causal softmax(q k^T / sqrt(d)) v in float64;
           exits 1 when the largest absolute difference exceeds 1e-5.
"""
import sys
import numpy as np


def reference(q, k, v):
    q, k, v = (x.astype(np.float64) for x in (q, k, v))
    s = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    n_q, n_k = s.shape[-2:]
    allowed = np.tril(np.ones((n_q, n_k), dtype=bool))
    s = np.where(allowed, s, -np.inf)
    s = s - s.max(axis=-1, keepdims=True)
    p = np.exp(s)
    p /= p.sum(axis=-1, keepdims=True)
    return p @ v


def main():
    mode, d = sys.argv[1], sys.argv[2]
    if mode == "make":
        rng = np.random.default_rng(20261128)
        for name in "qkv":
            np.save(f"{d}/{name}.npy", rng.standard_normal((2, 4, 77, 32)).astype(np.float32))
        return 0
    q, k, v = (np.load(f"{d}/{n}.npy") for n in "qkv")
    out = np.load(f"{d}/o.npy")
    err = np.abs(out.astype(np.float64) - reference(q, k, v)).max()
    print(f"attention:run sdpa --causal vs float64 NumPy: max abs error {err:.3e} (limit 1e-5)")
    return 0 if err <= 1e-5 else 1


if __name__ == "__main__":
    sys.exit(main())
