// Shared pieces of the attention kernels: which keys a block visits, and one masked, biased, scaled logit.
#pragma once

#include <math.h>

// Keys a block of query rows [row0, row0 + rows) visits: all nk, or with causal masking (top-left aligned, key
// j allowed for query i when j <= i) only the keys up to its last query row.
__device__ __forceinline__ int attention_key_limit(int row0, int rows, int nq, int nk, int causal) {
    if (!causal) {
        return nk;
    }
    const int lastRow = min(row0 + rows, nq) - 1;
    return max(0, min(nk, lastRow + 1));
}

// scale * dot + bias[b,h,i,j] where the key is allowed, -inf where it is not (past nk, above the causal diagonal,
// or false in the boolean mask). Mask and bias are read through broadcast strides over [B, Hq, Nq, Nk].
__device__ __forceinline__ float attention_logit(float dot, int b, int h, int i, int j, int nk, float scale,
    int causal, const unsigned char* __restrict__ mask, int ms0, int ms1, int ms2, int ms3,
    const float* __restrict__ bias, int bs0, int bs1, int bs2, int bs3) {
    if (j >= nk || (causal && j > i)) {
        return -INFINITY;
    }
    if (mask != nullptr
        && !mask[(long long) b * ms0 + (long long) h * ms1 + (long long) i * ms2 + (long long) j * ms3]) {
        return -INFINITY;
    }
    float s = dot * scale;
    if (bias != nullptr) {
        s += bias[(long long) b * bs0 + (long long) h * bs1 + (long long) i * bs2 + (long long) j * bs3];
    }
    return s;
}
