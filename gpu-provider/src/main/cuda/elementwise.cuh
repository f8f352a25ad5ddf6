// Elementwise kernels over flat float32 arrays, one thread per element (grid-stride loop).
#pragma once

#include <math.h>

#define BROADCAST_RANK 8

// Unary functions, codes as org.attune.api.backend.UnaryOp's ordinals.
__device__ __forceinline__ float unary_apply(int op, float x) {
    switch (op) {
        case 0: return -x;
        case 1: return expf(x);
        case 2: return logf(x);
        case 3: return tanhf(x);
        case 4: return 1.f / (1.f + expf(-x));
        case 5: return x > 0.f ? x : (x == x ? 0.f : x);
        case 6: return x * normcdff(x);
        case 7: return x > 0.f ? x : expm1f(x);
        case 8: return x > 0.f ? x + log1pf(expf(-x)) : log1pf(expf(x));
        case 9: return sqrtf(x);
        case 10: return x * x;
        case 11: return fabsf(x);
        default: return 1.f / x;
    }
}

extern "C" __global__ void unary_f32(const float* __restrict__ x, float* __restrict__ y, long long count, int op) {
    for (long long e = (long long) blockIdx.x * blockDim.x + threadIdx.x; e < count;
         e += (long long) gridDim.x * blockDim.x) {
        y[e] = unary_apply(op, x[e]);
    }
}

// NaN-propagating maximum and minimum, as Java's Math.max and Math.min.
__device__ __forceinline__ float nan_max(float a, float b) { return (a != a || b != b) ? NAN : fmaxf(a, b); }
__device__ __forceinline__ float nan_min(float a, float b) { return (a != a || b != b) ? NAN : fminf(a, b); }

// Binary functions, codes as org.attune.api.backend.BinaryOp's ordinals.
__device__ __forceinline__ float binary_apply(int op, float a, float b) {
    switch (op) {
        case 0: return a + b;
        case 1: return a - b;
        case 2: return a * b;
        case 3: return a / b;
        case 4: return nan_max(a, b);
        case 5: return nan_min(a, b);
        default: return powf(a, b);
    }
}

// The output's shape and each operand's strides over it (0 on broadcast axes), passed by value.
struct Broadcast {
    int rank;
    int shape[BROADCAST_RANK];
    int strideA[BROADCAST_RANK];
    int strideB[BROADCAST_RANK];
};

extern "C" __global__ void binary_f32(const float* __restrict__ a, const float* __restrict__ b, float* __restrict__ y,
    long long count, int op, Broadcast layout) {
    for (long long e = (long long) blockIdx.x * blockDim.x + threadIdx.x; e < count;
         e += (long long) gridDim.x * blockDim.x) {
        long long rest = e;
        long long ia = 0;
        long long ib = 0;
        for (int ax = layout.rank - 1; ax >= 0; ax--) {
            const long long idx = rest % layout.shape[ax];
            rest /= layout.shape[ax];
            ia += idx * layout.strideA[ax];
            ib += idx * layout.strideB[ax];
        }
        y[e] = binary_apply(op, a[ia], b[ib]);
    }
}

// Standard-normal draws from a counter-based hash (splitmix64, Box-Muller): inputs made on the device, for the
// kernel benchmark, without host copies.
__device__ __forceinline__ unsigned long long splitmix64(unsigned long long z) {
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

extern "C" __global__ void normal_f32(float* __restrict__ y, long long count, unsigned long long seed) {
    for (long long e = (long long) blockIdx.x * blockDim.x + threadIdx.x; e < count;
         e += (long long) gridDim.x * blockDim.x) {
        const unsigned long long h = splitmix64(seed ^ splitmix64((unsigned long long) e));
        const float u1 = ((h >> 40) + 1) * (1.0f / 16777217.0f);
        const float u2 = ((h & 0xffffffull)) * (1.0f / 16777216.0f);
        y[e] = sqrtf(-2.f * logf(u1)) * cospif(2.f * u2);
    }
}
