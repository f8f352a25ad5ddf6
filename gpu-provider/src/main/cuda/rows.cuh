// Operations along one axis of x viewed as [outer, n, inner]: one warp per line of n elements
// (line r: outer index r / inner, inner index r % inner; element t at (r / inner) * n * inner + r % inner + t * inner).
// Blocks hold ROW_WARPS warps; RowTiling.java computes the grid.
#pragma once

#include <math.h>

#define ROW_WARPS 8

__device__ __forceinline__ float warp_max(float x) {
#pragma unroll
    for (int off = 16; off > 0; off /= 2) {
        x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, off));
    }
    return x;
}

__device__ __forceinline__ float warp_min(float x) {
#pragma unroll
    for (int off = 16; off > 0; off /= 2) {
        x = fminf(x, __shfl_xor_sync(0xffffffffu, x, off));
    }
    return x;
}

__device__ __forceinline__ float warp_sum(float x) {
#pragma unroll
    for (int off = 16; off > 0; off /= 2) {
        x += __shfl_xor_sync(0xffffffffu, x, off);
    }
    return x;
}

// Masked softmax along the line: exp(x - max) / sum exp(x - max) over entries whose mask byte is non-zero (mask
// has x's shape, or is null); masked entries and every entry of a fully masked line become 0.
extern "C" __global__ void softmax_f32(const float* __restrict__ x, const unsigned char* __restrict__ mask,
    float* __restrict__ y, long long lines, int n, int inner) {
    const long long r = (long long) blockIdx.x * ROW_WARPS + threadIdx.x / 32;
    const int lane = threadIdx.x % 32;
    if (r >= lines) {
        return;
    }
    const long long base = (r / inner) * (long long) n * inner + r % inner;
    float mx = -INFINITY;
    for (int t = lane; t < n; t += 32) {
        const long long e = base + (long long) t * inner;
        if (mask == nullptr || mask[e]) {
            mx = fmaxf(mx, x[e]);
        }
    }
    mx = warp_max(mx);
    float sum = 0.f;
    for (int t = lane; t < n; t += 32) {
        const long long e = base + (long long) t * inner;
        if ((mask == nullptr || mask[e]) && mx != -INFINITY) {
            sum += expf(x[e] - mx);
        }
    }
    sum = warp_sum(sum);
    const float inv = sum > 0.f ? 1.f / sum : 0.f;
    for (int t = lane; t < n; t += 32) {
        const long long e = base + (long long) t * inner;
        y[e] = ((mask == nullptr || mask[e]) && mx != -INFINITY) ? expf(x[e] - mx) * inv : 0.f;
    }
}

// Reductions, codes as org.attune.api.backend.Reduction's ordinals: 0 sum, 1 mean, 2 max, 3 min, 4 log-sum-exp.
// An empty line gives 0, NaN, -inf, +inf, -inf.
extern "C" __global__ void reduce_f32(const float* __restrict__ x, float* __restrict__ y, long long lines, int n,
    int inner, int op) {
    const long long r = (long long) blockIdx.x * ROW_WARPS + threadIdx.x / 32;
    const int lane = threadIdx.x % 32;
    if (r >= lines) {
        return;
    }
    const long long base = (r / inner) * (long long) n * inner + r % inner;
    float result;
    if (op == 2 || op == 4) {
        float mx = -INFINITY;
        bool nan = false;
        for (int t = lane; t < n; t += 32) {
            const float v = x[base + (long long) t * inner];
            nan |= isnan(v);
            mx = fmaxf(mx, v);
        }
        mx = warp_max(mx);
        nan = __any_sync(0xffffffffu, nan);
        if (op == 2 || nan || isinf(mx)) {
            result = nan ? NAN : mx;
        } else {
            float sum = 0.f;
            for (int t = lane; t < n; t += 32) {
                sum += expf(x[base + (long long) t * inner] - mx);
            }
            result = mx + logf(warp_sum(sum));
        }
    } else if (op == 3) {
        float mn = INFINITY;
        bool nan = false;
        for (int t = lane; t < n; t += 32) {
            const float v = x[base + (long long) t * inner];
            nan |= isnan(v);
            mn = fminf(mn, v);
        }
        mn = warp_min(mn);
        nan = __any_sync(0xffffffffu, nan);
        result = nan ? NAN : mn;
    } else {
        float sum = 0.f;
        for (int t = lane; t < n; t += 32) {
            sum += x[base + (long long) t * inner];
        }
        sum = warp_sum(sum);
        result = op == 1 ? sum / n : sum;
    }
    if (lane == 0) {
        y[r] = result;
    }
}
