// A stand-in for libcublas in unit tests without a GPU: cublasSgemmStridedBatched as its documented column-major
// definition over host memory (the fake driver's device pointers are host pointers), and the handle calls.
typedef int cublasStatus_t;

cublasStatus_t cublasCreate_v2(void **handle) { *handle = (void *) 0x5000; return 0; }
cublasStatus_t cublasDestroy_v2(void *handle) { return 0; }
cublasStatus_t cublasSetStream_v2(void *handle, void *stream) { return 0; }
cublasStatus_t cublasGetVersion_v2(void *handle, int *version) { *version = 130002; return 0; }

// C[z] = alpha op(A[z]) op(B[z]) + beta C[z]; op(A) is m x k, op(B) k x n, all column-major; 0 = N, 1 = T
cublasStatus_t cublasSgemmStridedBatched(void *handle, int transa, int transb, int m, int n, int k,
    const float *alpha, const float *a, int lda, long long strideA, const float *b, int ldb, long long strideB,
    const float *beta, float *c, int ldc, long long strideC, int batch) {
    for (int z = 0; z < batch; z++) {
        const float *az = a + z * strideA;
        const float *bz = b + z * strideB;
        float *cz = c + z * strideC;
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    float x = transa ? az[p + (long long) i * lda] : az[i + (long long) p * lda];
                    float y = transb ? bz[j + (long long) p * ldb] : bz[p + (long long) j * ldb];
                    sum += (double) x * y;
                }
                cz[i + (long long) j * ldc] = (float) (*alpha * sum + (*beta == 0 ? 0 : *beta * cz[i + (long long) j * ldc]));
            }
        }
    }
    return 0;
}
