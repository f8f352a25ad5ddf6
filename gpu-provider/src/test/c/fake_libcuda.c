// A stand-in for libcuda.so.1 in unit tests without a GPU: the driver functions the provider binds, with the C
// signatures of cuda.h, over host memory. Compiled with -DFAKE_NO_DEVICE, cuInit fails with CUDA_ERROR_NO_DEVICE
// (100); otherwise it reports one sm_90 device. Launches of unary_f32 run on the host (NEG and SQUARE); launches of
// attention_* record their scalar arguments, which fake_last_attention returns. fake_live counts what is held
// (contexts, modules, streams, events, allocations) so tests can check that a stop releases everything.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef int CUresult;
typedef unsigned long long CUdeviceptr;

static int live_contexts, live_modules, live_streams, live_events, live_allocations;
static int attention_args[16];
static float attention_scale;
static char last_kernel[64];
static long module_bytes;

#ifdef FAKE_NO_DEVICE
CUresult cuInit(unsigned int flags) { return 100; }
#else
CUresult cuInit(unsigned int flags) { return 0; }
#endif
CUresult cuDriverGetVersion(int *v) { *v = 13000; return 0; }
CUresult cuDeviceGetCount(int *n) { *n = 1; return 0; }
CUresult cuDeviceGet(int *d, int ordinal) { *d = ordinal; return ordinal == 0 ? 0 : 101; }
CUresult cuDeviceGetName(char *name, int len, int dev) { strncpy(name, "Fake H100", len); return 0; }
CUresult cuDeviceGetAttribute(int *v, int attr, int dev) {
    switch (attr) {
        case 16: *v = 132; return 0;
        case 75: *v = 9; return 0;
        case 76: *v = 0; return 0;
        case 97: *v = 232448; return 0;
        default: *v = 0; return 0;
    }
}
CUresult cuDeviceTotalMem_v2(size_t *bytes, int dev) { *bytes = (size_t) 80 << 30; return 0; }
CUresult cuDevicePrimaryCtxRetain(void **ctx, int dev) { live_contexts++; *ctx = (void *) 0x1000; return 0; }
CUresult cuDevicePrimaryCtxRelease_v2(int dev) { live_contexts--; return 0; }
CUresult cuCtxPushCurrent_v2(void *ctx) { return 0; }
CUresult cuCtxPopCurrent_v2(void **ctx) { *ctx = (void *) 0x1000; return 0; }
CUresult cuModuleLoadDataEx(void **module, const void *image, unsigned int n, int *options, void **values) {
    module_bytes = (long) strlen((const char *) image);
    live_modules++;
    *module = (void *) 0x2000;
    return 0;
}
CUresult cuModuleUnload(void *module) { live_modules--; return 0; }
CUresult cuModuleGetFunction(void **f, void *module, const char *name) { *f = strdup(name); return 0; }
CUresult cuFuncSetAttribute(void *f, int attr, int value) { return attr == 8 && value > 232448 ? 1 : 0; }
CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t bytes) {
    live_allocations++;
    *p = (CUdeviceptr) (uintptr_t) malloc(bytes);
    return 0;
}
CUresult cuMemFree_v2(CUdeviceptr p) { live_allocations--; free((void *) (uintptr_t) p); return 0; }
CUresult cuMemcpyHtoD_v2(CUdeviceptr d, const void *h, size_t n) { memcpy((void *) (uintptr_t) d, h, n); return 0; }
CUresult cuMemcpyDtoH_v2(void *h, CUdeviceptr d, size_t n) { memcpy(h, (void *) (uintptr_t) d, n); return 0; }
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr d, const void *h, size_t n, void *s) { return cuMemcpyHtoD_v2(d, h, n); }
CUresult cuMemcpyDtoHAsync_v2(void *h, CUdeviceptr d, size_t n, void *s) { return cuMemcpyDtoH_v2(h, d, n); }
CUresult cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned smem, void *stream, void **params, void **extra) {
    const char *name = (const char *) f;
    strncpy(last_kernel, name, sizeof last_kernel - 1);
    if (strcmp(name, "unary_f32") == 0) {
        const float *x = *(const float **) params[0];
        float *y = *(float **) params[1];
        long long count = *(long long *) params[2];
        int op = *(int *) params[3];
        for (long long i = 0; i < count; i++) {
            y[i] = op == 0 ? -x[i] : op == 10 ? x[i] * x[i] : x[i];
        }
    } else if (strncmp(name, "attention_", 10) == 0) {
        // q k v o lse mask ms0..3 bias bs0..3 hq group nq nk d dv scale causal
        int slots[] = {6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
        for (int i = 0; i < 14; i++) {
            attention_args[i] = *(int *) params[slots[i]];
        }
        attention_args[14] = *(int *) params[22];
        attention_args[15] = (int) (gx * 1000 + gy);
        attention_scale = *(float *) params[21];
    }
    return 0;
}
CUresult cuStreamCreate(void **s, unsigned int flags) { live_streams++; *s = (void *) 0x3000; return 0; }
CUresult cuStreamSynchronize(void *s) { return 0; }
CUresult cuStreamDestroy_v2(void *s) { live_streams--; return 0; }
CUresult cuEventCreate(void **e, unsigned int flags) { live_events++; *e = (void *) 0x4000; return 0; }
CUresult cuEventRecord(void *e, void *s) { return 0; }
CUresult cuEventSynchronize(void *e) { return 0; }
CUresult cuEventElapsedTime_v2(float *ms, void *a, void *b) { *ms = 1.5f; return 0; }
CUresult cuEventDestroy_v2(void *e) { live_events--; return 0; }
CUresult cuGetErrorName(CUresult r, const char **s) {
    *s = r == 100 ? "CUDA_ERROR_NO_DEVICE" : r == 101 ? "CUDA_ERROR_INVALID_DEVICE" : "CUDA_ERROR_UNKNOWN";
    return 0;
}
CUresult cuGetErrorString(CUresult r, const char **s) {
    *s = r == 100 ? "no CUDA-capable device is detected" : "unknown error";
    return 0;
}

// test hooks
int fake_live(void) { return live_contexts + live_modules + live_streams + live_events + live_allocations; }
long fake_module_bytes(void) { return module_bytes; }
const char *fake_last_kernel(void) { return last_kernel; }
float fake_last_scale(void) { return attention_scale; }
void fake_last_attention(int *out) { memcpy(out, attention_args, sizeof attention_args); }
