// The kernels of the Attune GPU provider, one module: compiled by the Maven build (build-kernels.sh) to PTX for
// compute_80 and compute_90 and loaded through the CUDA driver API (cuModuleLoadData) by CudaSession.java.
#include "attention_f32.cuh"
#include "attention_mma.cuh"
#include "gemm.cuh"
#include "rows.cuh"
#include "elementwise.cuh"
