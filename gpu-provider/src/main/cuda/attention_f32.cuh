// Fused flash-attention forward in float32 (FlashAttention-2 online softmax, Dao 2023, arXiv:2307.08691, Alg. 1).
//
//   out[b,h,i,:] = sum_j softmax_j(scale * q[b,h,i,:] . k[b,g,j,:] + bias[b,h,i,j] | allowed(i,j)) * v[b,g,j,:]
//   g = h / group,  allowed(i,j) = (!causal || j <= i) && mask[b,h,i,j]
//
// One thread owns one query row (q and the output accumulator in registers, its logits of the current tile in
// shared memory); a block of ATTN_F32_ROWS threads stages key/value tiles of BC rows in shared memory. Head
// dimensions are zero-padded to DMAX, so the dot products run without branches. A row with no allowed key gives a
// zero output and a log-sum-exp of -inf.
#pragma once

#include "attention_common.cuh"

#define ATTN_F32_ROWS 64

template <int DMAX, int BC>
__device__ __forceinline__ void attention_f32_body(
    const float* __restrict__ q, const float* __restrict__ k, const float* __restrict__ v, float* __restrict__ o,
    float* __restrict__ lse, const unsigned char* __restrict__ mask, int ms0, int ms1, int ms2, int ms3,
    const float* __restrict__ bias, int bs0, int bs1, int bs2, int bs3,
    int hq, int group, int nq, int nk, int d, int dv, float scale, int causal) {
    __shared__ float ks[BC][DMAX];
    __shared__ float vs[BC][DMAX];
    __shared__ float sc[ATTN_F32_ROWS][BC + 1];  // this thread's logits of the tile

    const int bh = blockIdx.x;
    const int b = bh / hq;
    const int h = bh % hq;
    const int hkv = hq / group;
    const int g = h / group;
    const int row0 = blockIdx.y * ATTN_F32_ROWS;
    const int i = row0 + threadIdx.x;
    const bool live = i < nq;

    const float* qrow = q + ((long long) bh * nq + i) * d;
    const float* kh = k + ((long long) b * hkv + g) * nk * d;
    const float* vh = v + ((long long) b * hkv + g) * nk * dv;

    float qr[DMAX];
    float acc[DMAX];
#pragma unroll
    for (int c = 0; c < DMAX; c++) {
        qr[c] = (live && c < d) ? qrow[c] : 0.f;
        acc[c] = 0.f;
    }
    float m = -INFINITY;
    float l = 0.f;

    const int last = attention_key_limit(row0, ATTN_F32_ROWS, nq, nk, causal);
    for (int j0 = 0; j0 < last; j0 += BC) {
        __syncthreads();
        for (int e = threadIdx.x; e < BC * DMAX; e += blockDim.x) {
            const int r = e / DMAX;
            const int c = e % DMAX;
            const int j = j0 + r;
            ks[r][c] = (j < nk && c < d) ? kh[(long long) j * d + c] : 0.f;
            vs[r][c] = (j < nk && c < dv) ? vh[(long long) j * dv + c] : 0.f;
        }
        __syncthreads();
        if (!live) {
            continue;
        }
        float* s = sc[threadIdx.x];
        float tmax = -INFINITY;
#pragma unroll 1
        for (int r = 0; r < BC; r++) {
            const int j = j0 + r;
            float dot = 0.f;
#pragma unroll
            for (int c = 0; c < DMAX; c++) {
                dot = fmaf(qr[c], ks[r][c], dot);
            }
            s[r] = attention_logit(dot, b, h, i, j, nk, scale, causal, mask, ms0, ms1, ms2, ms3, bias, bs0, bs1,
                bs2, bs3);
            tmax = fmaxf(tmax, s[r]);
        }
        const float mnew = fmaxf(m, tmax);
        if (mnew == -INFINITY) {
            continue;
        }
        const float corr = expf(m - mnew);
        l *= corr;
#pragma unroll
        for (int c = 0; c < DMAX; c++) {
            acc[c] *= corr;
        }
#pragma unroll 1
        for (int r = 0; r < BC; r++) {
            const float p = expf(s[r] - mnew);
            l += p;
#pragma unroll
            for (int c = 0; c < DMAX; c++) {
                acc[c] = fmaf(p, vs[r][c], acc[c]);
            }
        }
        m = mnew;
    }
    if (!live) {
        return;
    }
    float* orow = o + ((long long) bh * nq + i) * dv;
    const float inv = l > 0.f ? 1.f / l : 0.f;
#pragma unroll
    for (int c = 0; c < DMAX; c++) {
        if (c < dv) {
            orow[c] = acc[c] * inv;
        }
    }
    if (lse != nullptr) {
        lse[(long long) bh * nq + i] = l > 0.f ? m + logf(l) : -INFINITY;
    }
}

#define ATTENTION_F32_KERNEL(DMAX, BC)                                                                              \
    extern "C" __global__ void __launch_bounds__(ATTN_F32_ROWS) attention_f32_d##DMAX(                              \
        const float* q, const float* k, const float* v, float* o, float* lse, const unsigned char* mask, int ms0,   \
        int ms1, int ms2, int ms3, const float* bias, int bs0, int bs1, int bs2, int bs3, int hq, int group,         \
        int nq, int nk, int d, int dv, float scale, int causal) {                                                    \
        attention_f32_body<DMAX, BC>(q, k, v, o, lse, mask, ms0, ms1, ms2, ms3, bias, bs0, bs1, bs2, bs3, hq,      \
            group, nq, nk, d, dv, scale, causal);                                                                    \
    }

// Key-tile rows per head-dimension bucket keep the staged tiles and logits under the 48 KiB of static shared memory.
ATTENTION_F32_KERNEL(32, 32)
ATTENTION_F32_KERNEL(64, 32)
ATTENTION_F32_KERNEL(128, 32)
ATTENTION_F32_KERNEL(256, 16)
