// Fused flash-attention forward on tensor cores: q, k, v rounded to bfloat16 or float16 as they are staged in
// shared memory, both products on WMMA 16x16x16 tiles with float32 accumulation, the online softmax
// (FlashAttention-2, Dao 2023, arXiv:2307.08691, Alg. 1) in float32. Same formula, masking and grouped heads as
// attention_f32.cuh.
//
// A block of 4 warps owns MMA_ROWS = 64 query rows (16 per warp) and walks key/value tiles of MMA_COLS = 64 rows.
// Per tile each warp computes S = Q K^T for its 16 rows into shared memory, updates its rows' running maximum
// and sum, writes P = exp(S - m) rounded to the input type, rescales its rows of the float32 output O kept in
// shared memory, and adds P V. Warps touch only their own rows, so the block synchronises only around the tile
// loads. The shared-memory layout (dynamic, opt-in above 48 KiB) is mirrored by AttentionTiling.java.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <mma.h>

#include "attention_common.cuh"

#define MMA_ROWS 64
#define MMA_COLS 64
#define MMA_WARPS 4
#define MMA_SKEW16 8   // extra 16-bit elements per staged row, against shared-memory bank conflicts
#define MMA_SKEW32 4   // extra float32 elements per row of S and O
#define MMA_ALIGN 128  // byte alignment of each shared-memory region

template <typename T> __device__ __forceinline__ T mma_round(float x);
template <> __device__ __forceinline__ __nv_bfloat16 mma_round<__nv_bfloat16>(float x) { return __float2bfloat16(x); }
template <> __device__ __forceinline__ __half mma_round<__half>(float x) { return __float2half(x); }

__host__ __device__ constexpr int mma_align(int bytes) { return (bytes + MMA_ALIGN - 1) / MMA_ALIGN * MMA_ALIGN; }

template <typename T, int DP>
__device__ __forceinline__ void attention_mma_body(
    const float* __restrict__ q, const float* __restrict__ k, const float* __restrict__ v, float* __restrict__ o,
    float* __restrict__ lse, const unsigned char* __restrict__ mask, int ms0, int ms1, int ms2, int ms3,
    const float* __restrict__ bias, int bs0, int bs1, int bs2, int bs3,
    int hq, int group, int nq, int nk, int d, int dv, float scale, int causal) {
    using namespace nvcuda;
    constexpr int TS = DP + MMA_SKEW16;        // row stride of Q, K, V tiles (elements of T)
    constexpr int SS = MMA_COLS + MMA_SKEW32;  // row stride of S (floats)
    constexpr int PS = MMA_COLS + MMA_SKEW16;  // row stride of P (elements of T)
    constexpr int OS = DP + MMA_SKEW32;        // row stride of O (floats)
    constexpr int Q_BYTES = mma_align(MMA_ROWS * TS * 2);
    constexpr int KV_BYTES = mma_align(MMA_COLS * TS * 2);
    constexpr int S_BYTES = mma_align(MMA_ROWS * SS * 4);
    constexpr int P_BYTES = mma_align(MMA_ROWS * PS * 2);
    constexpr int O_BYTES = mma_align(MMA_ROWS * OS * 4);

    extern __shared__ __align__(128) unsigned char smem[];
    T* qs = reinterpret_cast<T*>(smem);
    T* ks = reinterpret_cast<T*>(smem + Q_BYTES);
    T* vs = reinterpret_cast<T*>(smem + Q_BYTES + KV_BYTES);
    float* ss = reinterpret_cast<float*>(smem + Q_BYTES + 2 * KV_BYTES);
    T* ps = reinterpret_cast<T*>(smem + Q_BYTES + 2 * KV_BYTES + S_BYTES);
    float* os = reinterpret_cast<float*>(smem + Q_BYTES + 2 * KV_BYTES + S_BYTES + P_BYTES);
    float* mrow = reinterpret_cast<float*>(smem + Q_BYTES + 2 * KV_BYTES + S_BYTES + P_BYTES + O_BYTES);
    float* lrow = mrow + MMA_ROWS;

    const int tid = threadIdx.x;
    const int warp = tid / 32;
    const int lane = tid % 32;
    const int bh = blockIdx.x;
    const int b = bh / hq;
    const int h = bh % hq;
    const int hkv = hq / group;
    const int g = h / group;
    const int row0 = blockIdx.y * MMA_ROWS;

    const float* qh = q + (long long) bh * nq * d;
    const float* kh = k + ((long long) b * hkv + g) * nk * d;
    const float* vh = v + ((long long) b * hkv + g) * nk * dv;

    for (int e = tid; e < MMA_ROWS * DP; e += blockDim.x) {
        const int r = e / DP;
        const int c = e % DP;
        const int i = row0 + r;
        qs[r * TS + c] = mma_round<T>((i < nq && c < d) ? qh[(long long) i * d + c] : 0.f);
    }
    for (int e = tid; e < MMA_ROWS * DP; e += blockDim.x) {
        os[(e / DP) * OS + e % DP] = 0.f;
    }
    for (int r = tid; r < MMA_ROWS; r += blockDim.x) {
        mrow[r] = -INFINITY;
        lrow[r] = 0.f;
    }
    __syncthreads();  // rows are initialised by other warps' threads; the key loop may not run at all

    const int wr = warp * 16;  // first row of this warp within the block
    const int last = attention_key_limit(row0, MMA_ROWS, nq, nk, causal);
    for (int j0 = 0; j0 < last; j0 += MMA_COLS) {
        __syncthreads();
        for (int e = tid; e < MMA_COLS * DP; e += blockDim.x) {
            const int r = e / DP;
            const int c = e % DP;
            const int j = j0 + r;
            ks[r * TS + c] = mma_round<T>((j < nk && c < d) ? kh[(long long) j * d + c] : 0.f);
            vs[r * TS + c] = mma_round<T>((j < nk && c < dv) ? vh[(long long) j * dv + c] : 0.f);
        }
        __syncthreads();

        // S[wr.., :] = Q[wr.., :] K^T
#pragma unroll
        for (int nf = 0; nf < MMA_COLS / 16; nf++) {
            wmma::fragment<wmma::accumulator, 16, 16, 16, float> sf;
            wmma::fill_fragment(sf, 0.f);
#pragma unroll
            for (int kk = 0; kk < DP / 16; kk++) {
                wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> af;
                wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::col_major> bf;
                wmma::load_matrix_sync(af, qs + wr * TS + kk * 16, TS);
                wmma::load_matrix_sync(bf, ks + nf * 16 * TS + kk * 16, TS);
                wmma::mma_sync(sf, af, bf, sf);
            }
            wmma::store_matrix_sync(ss + wr * SS + nf * 16, sf, SS, wmma::mem_row_major);
        }
        __syncwarp();

        // online softmax over the warp's 16 rows; each lane holds columns lane and lane + 32
        for (int r = wr; r < wr + 16; r++) {
            const int i = row0 + r;
            float s0 = -INFINITY;
            float s1 = -INFINITY;
            if (i < nq) {
                s0 = attention_logit(ss[r * SS + lane], b, h, i, j0 + lane, nk, scale, causal, mask, ms0, ms1, ms2,
                    ms3, bias, bs0, bs1, bs2, bs3);
                s1 = attention_logit(ss[r * SS + lane + 32], b, h, i, j0 + lane + 32, nk, scale, causal, mask, ms0,
                    ms1, ms2, ms3, bias, bs0, bs1, bs2, bs3);
            }
            float tmax = fmaxf(s0, s1);
#pragma unroll
            for (int off = 16; off > 0; off /= 2) {
                tmax = fmaxf(tmax, __shfl_xor_sync(0xffffffffu, tmax, off));
            }
            const float mold = mrow[r];
            const float mnew = fmaxf(mold, tmax);
            float p0 = 0.f;
            float p1 = 0.f;
            float corr = 1.f;
            if (mnew != -INFINITY) {
                p0 = expf(s0 - mnew);
                p1 = expf(s1 - mnew);
                corr = expf(mold - mnew);
            }
            float psum = p0 + p1;
#pragma unroll
            for (int off = 16; off > 0; off /= 2) {
                psum += __shfl_xor_sync(0xffffffffu, psum, off);
            }
            ps[r * PS + lane] = mma_round<T>(p0);
            ps[r * PS + lane + 32] = mma_round<T>(p1);
            for (int c = lane; c < DP; c += 32) {
                os[r * OS + c] *= corr;
            }
            __syncwarp();
            if (lane == 0) {
                mrow[r] = mnew;
                lrow[r] = lrow[r] * corr + psum;
            }
        }
        __syncwarp();

        // O[wr.., :] += P[wr.., :] V
#pragma unroll
        for (int nf = 0; nf < DP / 16; nf++) {
            wmma::fragment<wmma::accumulator, 16, 16, 16, float> of;
            wmma::load_matrix_sync(of, os + wr * OS + nf * 16, OS, wmma::mem_row_major);
#pragma unroll
            for (int kk = 0; kk < MMA_COLS / 16; kk++) {
                wmma::fragment<wmma::matrix_a, 16, 16, 16, T, wmma::row_major> af;
                wmma::fragment<wmma::matrix_b, 16, 16, 16, T, wmma::row_major> bf;
                wmma::load_matrix_sync(af, ps + wr * PS + kk * 16, PS);
                wmma::load_matrix_sync(bf, vs + kk * 16 * TS + nf * 16, TS);
                wmma::mma_sync(of, af, bf, of);
            }
            wmma::store_matrix_sync(os + wr * OS + nf * 16, of, OS, wmma::mem_row_major);
        }
        __syncwarp();
    }

    __syncwarp();
    for (int r = wr; r < wr + 16; r++) {
        const int i = row0 + r;
        if (i >= nq) {
            break;
        }
        const float l = lrow[r];
        const float inv = l > 0.f ? 1.f / l : 0.f;
        float* orow = o + ((long long) bh * nq + i) * dv;
        for (int c = lane; c < dv; c += 32) {
            orow[c] = os[r * OS + c] * inv;
        }
        if (lse != nullptr && lane == 0) {
            lse[(long long) bh * nq + i] = l > 0.f ? mrow[r] + logf(l) : -INFINITY;
        }
    }
}

#define ATTENTION_MMA_KERNEL(NAME, T, DP)                                                                           \
    extern "C" __global__ void __launch_bounds__(MMA_WARPS * 32) attention_##NAME##_d##DP(                           \
        const float* q, const float* k, const float* v, float* o, float* lse, const unsigned char* mask, int ms0,   \
        int ms1, int ms2, int ms3, const float* bias, int bs0, int bs1, int bs2, int bs3, int hq, int group,         \
        int nq, int nk, int d, int dv, float scale, int causal) {                                                    \
        attention_mma_body<T, DP>(q, k, v, o, lse, mask, ms0, ms1, ms2, ms3, bias, bs0, bs1, bs2, bs3, hq, group,   \
            nq, nk, d, dv, scale, causal);                                                                           \
    }

ATTENTION_MMA_KERNEL(bf16, __nv_bfloat16, 32)
ATTENTION_MMA_KERNEL(bf16, __nv_bfloat16, 64)
ATTENTION_MMA_KERNEL(bf16, __nv_bfloat16, 128)
ATTENTION_MMA_KERNEL(fp16, __half, 32)
ATTENTION_MMA_KERNEL(fp16, __half, 64)
ATTENTION_MMA_KERNEL(fp16, __half, 128)
