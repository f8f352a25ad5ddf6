// Batched float32 matrix product C[z] = op(A[z]) op(B[z]) (row-major, op = optional transpose of the last two
// axes), tiled in shared memory: a block of 256 threads computes a GEMM_TILE x GEMM_TILE tile of C, each thread
// a 4 x 4 sub-tile, over GEMM_K-deep slices of A and B. B may be shared by the whole batch (strideB = 0). The grid
// is (ceil(n / 64), ceil(m / 64), batch); GemmTiling.java computes it.
#pragma once

#define GEMM_TILE 64
#define GEMM_K 16
#define GEMM_THREADS 256

extern "C" __global__ void __launch_bounds__(GEMM_THREADS) gemm_f32(const float* __restrict__ a,
    const float* __restrict__ bm, float* __restrict__ c, int m, int n, int k, int transA, int transB,
    long long strideA, long long strideB, long long strideC) {
    __shared__ float as[GEMM_K][GEMM_TILE + 4];
    __shared__ float bs[GEMM_K][GEMM_TILE + 4];
    const float* az = a + blockIdx.z * strideA;
    const float* bz = bm + blockIdx.z * strideB;
    float* cz = c + blockIdx.z * strideC;
    const int tx = threadIdx.x % 16;
    const int ty = threadIdx.x / 16;
    const int rowBase = blockIdx.y * GEMM_TILE;
    const int colBase = blockIdx.x * GEMM_TILE;

    float acc[4][4] = {};
    for (int p0 = 0; p0 < k; p0 += GEMM_K) {
        for (int e = threadIdx.x; e < GEMM_K * GEMM_TILE; e += GEMM_THREADS) {
            const int kk = e / GEMM_TILE;
            const int t = e % GEMM_TILE;
            const int p = p0 + kk;
            const int i = rowBase + t;
            const int j = colBase + t;
            as[kk][t] = (i < m && p < k) ? (transA ? az[(long long) p * m + i] : az[(long long) i * k + p]) : 0.f;
            bs[kk][t] = (j < n && p < k) ? (transB ? bz[(long long) j * k + p] : bz[(long long) p * n + j]) : 0.f;
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < GEMM_K; kk++) {
            float ar[4];
            float br[4];
#pragma unroll
            for (int x = 0; x < 4; x++) {
                ar[x] = as[kk][ty * 4 + x];
                br[x] = bs[kk][tx * 4 + x];
            }
#pragma unroll
            for (int x = 0; x < 4; x++) {
#pragma unroll
                for (int y = 0; y < 4; y++) {
                    acc[x][y] = fmaf(ar[x], br[y], acc[x][y]);
                }
            }
        }
        __syncthreads();
    }
#pragma unroll
    for (int x = 0; x < 4; x++) {
        const int i = rowBase + ty * 4 + x;
#pragma unroll
        for (int y = 0; y < 4; y++) {
            const int j = colBase + tx * 4 + y;
            if (i < m && j < n) {
                cz[(long long) i * n + j] = acc[x][y];
            }
        }
    }
}
