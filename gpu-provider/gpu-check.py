#!/usr/bin/env python3
"""Numerics and benchmark half of gpu-check.sh (needs numpy; torch only for the SDPA benchmark).

  gpu-check.py make DIR          write the cases' q, k, v (and mask, bias) as .npy into DIR, with their float64
                                 references and the errors of the naive float32 and bfloat16 computations
  gpu-check.py judge DIR         compare DIR/<case>.<precision>.out.npy (written by attention:run on the gpu
                                 backend) with the rules; print the table; exit 1 when a rule fails
  gpu-check.py bench GPUBENCH    time torch's scaled_dot_product_attention on the sizes in the backend:gpubench
                                 output file GPUBENCH and print the comparison table

Rules (FlashAttention's test rule, Dao et al.): the kernel's max |out - ref64| is at most twice the naive
computation's max |naive - ref64| in the same precision. Naive float32: logits in float32, softmax with the row
maximum subtracted, P.V in float32. Naive bfloat16 (FlashAttention's attention_ref without upcast): q, k, v
rounded to bfloat16, logits rounded to bfloat16, softmax in float32 rounded to bfloat16, P.V rounded to bfloat16.
Fully masked rows are zero in every computation.
"""
import json
import os
import sys

import numpy as np

CASES = {
    # name: (batch, heads, kv heads, n, d, causal, mask_and_bias)
    "odd-n1000-d64": (2, 4, 4, 1000, 64, False, False),
    "causal-n777-d128": (1, 4, 4, 777, 128, True, False),
    "mask-bias-n300-d64": (2, 4, 4, 300, 64, False, True),
    "odd-d40-n129": (1, 2, 2, 129, 40, False, False),
    "gqa-8q-2kv-n200-d64": (1, 8, 2, 200, 64, True, False),
}


def bf16(x):
    """Round float32 values to bfloat16 (round to nearest even), returned as float32."""
    x = np.ascontiguousarray(x, dtype=np.float32)
    u = x.view(np.uint32).astype(np.uint64)
    rounded = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16) << 16
    out = rounded.astype(np.uint32).view(np.float32)
    return np.where(np.isnan(x), x, out)


def attention(q, k, v, scale, causal, mask, bias, dtype, round_fn=None):
    """softmax(scale q k^T + bias | allowed) v in dtype; round_fn rounds intermediates (bfloat16 emulation)."""
    r = round_fn or (lambda t: t)
    group = q.shape[1] // k.shape[1]   # grouped-query heads: query head h reads KV head h // group
    k, v = np.repeat(k, group, axis=1), np.repeat(v, group, axis=1)
    q, k, v = r(q.astype(dtype)), r(k.astype(dtype)), r(v.astype(dtype))
    s = r(np.einsum("bhid,bhjd->bhij", q, k).astype(dtype) * dtype(scale))
    nq, nk = s.shape[-2], s.shape[-1]
    allowed = np.ones(s.shape, dtype=bool)
    if causal:
        allowed &= np.tril(np.ones((nq, nk), dtype=bool))
    if mask is not None:
        allowed &= np.broadcast_to(mask, s.shape)
    if bias is not None:
        s = r(s + np.broadcast_to(bias.astype(dtype), s.shape))
    s = np.where(allowed, s, -np.inf)
    m = s.max(axis=-1, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    p = np.where(allowed, np.exp(s - m), 0)
    denom = p.sum(axis=-1, keepdims=True)
    p = np.where(denom > 0, p / np.where(denom > 0, denom, 1), 0)
    p = r(p.astype(dtype))
    return r(np.einsum("bhij,bhjd->bhid", p, v).astype(dtype))


def make(folder):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(20261128)
    meta = {}
    for name, (b, h, hkv, n, d, causal, masked) in CASES.items():
        q = rng.standard_normal((b, h, n, d), dtype=np.float32)
        k = rng.standard_normal((b, hkv, n, d), dtype=np.float32)
        v = rng.standard_normal((b, hkv, n, d), dtype=np.float32)
        mask = bias = None
        if masked:
            mask = rng.random((b, 1, n, n)) < 0.7
            mask[:, :, 5, :] = False          # a fully masked row: zero output
            slopes = 2.0 ** (-8.0 * np.arange(1, h + 1) / h)  # ALiBi slopes as an additive bias tensor
            pos = np.arange(n)
            bias = (-slopes[:, None, None] * np.abs(pos[None, :, None] - pos[None, None, :]))[None].astype(np.float32)
        for t, x in (("q", q), ("k", k), ("v", v)):
            np.save(os.path.join(folder, f"{name}.{t}.npy"), x)
        if mask is not None:
            np.save(os.path.join(folder, f"{name}.mask.npy"), mask)
            np.save(os.path.join(folder, f"{name}.bias.npy"), bias)
        scale = 1.0 / np.sqrt(d)
        ref = attention(q, k, v, scale, causal, mask, bias, np.float64)
        naive32 = attention(q, k, v, scale, causal, mask, bias, np.float32)
        naive16 = attention(q, k, v, scale, causal, mask, bias, np.float32, bf16)
        np.save(os.path.join(folder, f"{name}.ref.npy"), ref)
        meta[name] = {
            "causal": causal, "masked": masked,
            "fp32": float(np.abs(naive32 - ref).max()), "bf16": float(np.abs(naive16 - ref).max()),
        }
    with open(os.path.join(folder, "cases.json"), "w") as f:
        json.dump(meta, f, indent=1)
    for name, m in meta.items():
        flags = (" --causal" if m["causal"] else "") + (
            f" --mask {folder}/{name}.mask.npy --bias {folder}/{name}.bias.npy" if m["masked"] else "")
        print(f"{name}\t{flags.strip()}")


def judge(folder):
    with open(os.path.join(folder, "cases.json")) as f:
        meta = json.load(f)
    failed = False
    rows = ["| case | precision | max abs err vs float64 | naive err | ratio | rule (<= 2) | zero rows |",
            "|---|---|---|---|---|---|---|"]
    for name, m in meta.items():
        ref = np.load(os.path.join(folder, f"{name}.ref.npy"))
        for precision in ("fp32", "bf16"):
            path = os.path.join(folder, f"{name}.{precision}.out.npy")
            if not os.path.exists(path):
                rows.append(f"| {name} | {precision} | no output | | | FAIL | |")
                failed = True
                continue
            out = np.load(path).astype(np.float64)
            err = float(np.abs(out - ref).max()) if out.shape == ref.shape else float("inf")
            naive = m[precision]
            ratio = err / naive if naive > 0 else (0.0 if err == 0 else float("inf"))
            ok = np.isfinite(err) and err <= 2 * naive
            zero = "n/a"
            if m["masked"] and out.shape == ref.shape:
                zero = "ok" if np.all(out[:, :, 5, :] == 0) else "NOT ZERO"
                ok = ok and zero == "ok"
            failed |= not ok
            rows.append(f"| {name} | {precision} | {err:.3e} | {naive:.3e} | {ratio:.2f} | {'pass' if ok else 'FAIL'} "
                        f"| {zero} |")
    print("\n".join(rows))
    return 1 if failed else 0


def bench(gpubench_file):
    gpu = {}
    with open(gpubench_file) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 6 and parts[0] in ("fp32", "bf16", "fp16"):
                gpu[(parts[0], int(parts[1]), int(parts[2]))] = float(parts[3])
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        torch = None
    header = ["| precision | d | n | attune gpu ms | attune TFLOP/s | torch SDPA ms | torch TFLOP/s | attune / torch |",
              "|---|---|---|---|---|---|---|---|"]
    rows = []
    batch, heads = 4, 16
    if torch is None or not torch.cuda.is_available():
        print("python3 has no torch with CUDA here: skipping the PyTorch SDPA comparison")
    for (precision, d, n), ms in sorted(gpu.items()):
        flop = 4.0 * batch * heads * n * n * d
        tms = float("nan")
        if torch is not None and torch.cuda.is_available():
            dtype = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[precision]
            q, k, v = (torch.randn(batch, heads, n, d, device="cuda", dtype=dtype) for _ in range(3))
            for _ in range(3):
                F.scaled_dot_product_attention(q, k, v)
            times = []
            for _ in range(10):
                s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
                s.record()
                F.scaled_dot_product_attention(q, k, v)
                e.record()
                e.synchronize()
                times.append(s.elapsed_time(e))
            tms = sorted(times)[len(times) // 2]
            del q, k, v
        rows.append(f"| {precision} | {d} | {n} | {ms:.3f} | {flop / ms / 1e9:.1f} | {tms:.3f} | "
                    f"{flop / tms / 1e9:.1f} | {tms / ms:.2f} |")
    print("\n".join(header + rows))
    print("\nTFLOP/s = 4*B*H*n^2*d / median time, B = 4, H = 16, non-causal; attune / torch = throughput ratio "
          "(torch time / attune time); both time the kernel alone on device-resident inputs.")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("make", "judge", "bench"):
        print(__doc__)
        sys.exit(2)
    if sys.argv[1] == "make":
        make(sys.argv[2])
    elif sys.argv[1] == "judge":
        sys.exit(judge(sys.argv[2]))
    else:
        bench(sys.argv[2])
