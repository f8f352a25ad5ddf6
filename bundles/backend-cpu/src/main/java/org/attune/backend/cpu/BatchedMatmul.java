package org.attune.backend.cpu;

import java.util.Arrays;

import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Batched matrix product on OpenBLAS through Nd4j:
 * <pre>
 *   out[β, m, n] = Σ_k op(a)[β, m, k] · op(b)[β, k, n],   op(x) = x or xᵀ over the last two axes
 * </pre>
 * where β runs over the leading (batch) axes of {@code a}; a rank-2 {@code b} is shared by every β. All products
 * write into a preallocated Nd4j output (gemm {@code C = α·A·B + β·C} with α = 1, β = 0):
 * <ul>
 * <li>rank 2: one gemm;</li>
 * <li>a shared {@code b} and no transpose of {@code a}: the batch folds into the rows, one gemm of
 * {@code [Β·m, k] × [k, n]};</li>
 * <li>a shared {@code b} with {@code a} transposed: one gemm per batch entry, each into its slice of the output;</li>
 * <li>equal batch axes: one batched {@code matmul} op over {@code [Β, ·, ·]}.</li>
 * </ul>
 */
final class BatchedMatmul {
    private BatchedMatmul() {
    }

    static Tensor compute(Tensor a, Tensor b, boolean transposeA, boolean transposeB, Tensor out) {
        if (a.rank() < 2) {
            throw InvalidInputException.shape("a", "[..., m, k] (rank >= 2)", a.shape());
        }
        int rank = a.rank();
        int[] batchShape = Arrays.copyOfRange(a.shape(), 0, rank - 2);
        boolean shared = b.rank() == 2 && rank > 2;
        if (!shared && (b.rank() != rank
            || !Arrays.equals(Arrays.copyOfRange(b.shape(), 0, rank - 2), batchShape))) {
            throw InvalidInputException.shape("b", "[" + leading(batchShape) + "k, n] (the batch axes of a) or [k, n]",
                b.shape());
        }
        if (b.dtype() != a.dtype()) {
            throw new InvalidInputException("b", "expected dtype " + a.dtype() + " (that of a), got " + b.dtype());
        }
        int m = transposeA ? a.dim(-1) : a.dim(-2);
        int k = transposeA ? a.dim(-2) : a.dim(-1);
        int kb = transposeB ? b.dim(-1) : b.dim(-2);
        int n = transposeB ? b.dim(-2) : b.dim(-1);
        if (kb != k) {
            throw new InvalidInputException("b", "inner dimension " + kb + " of op(b) " + Tensor.format(b.shape())
                + " does not match " + k + " of op(a) " + Tensor.format(a.shape()));
        }
        int[] outShape = Arrays.copyOf(batchShape, rank);
        outShape[rank - 2] = m;
        outShape[rank - 1] = n;
        out = Tensor.output(out, a.dtype(), outShape);
        if (out.size() == 0) {
            return out;
        }
        if (k == 0) {
            return out.copyFrom(Tensor.zeros(a.dtype(), outShape));
        }
        int batch = out.size() / (m * n);
        int[] aMat = {a.dim(-2), a.dim(-1)};
        int[] bMat = {b.dim(-2), b.dim(-1)};
        INDArray na = null;
        INDArray nb = null;
        INDArray nc = null;
        try {
            if (rank == 2 || (shared && !transposeA)) {
                na = OffHeapCopy.of(a, (long) batch * aMat[0], aMat[1]);
                nb = OffHeapCopy.of(b, bMat[0], bMat[1]);
                nc = OffHeapCopy.allocate(a.dtype(), (long) batch * m, n);
                Nd4j.gemm(na, nb, nc, transposeA, transposeB, 1.0, 0.0);
            } else if (shared) {
                na = OffHeapCopy.of(a, batch, aMat[0], aMat[1]);
                nb = OffHeapCopy.of(b, bMat[0], bMat[1]);
                nc = OffHeapCopy.zeros(a.dtype(), batch, m, n);
                MMulTranspose mt = MMulTranspose.builder().transposeA(true).transposeB(transposeB).build();
                for (int i = 0; i < batch; i++) {
                    INDArray ai = na.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all());
                    INDArray ci = nc.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.all());
                    Nd4j.exec(new Mmul(ai, nb, ci, 1.0, 0.0, mt));
                }
            } else {
                na = OffHeapCopy.of(a, batch, aMat[0], aMat[1]);
                nb = OffHeapCopy.of(b, batch, bMat[0], bMat[1]);
                nc = OffHeapCopy.zeros(a.dtype(), batch, m, n);
                Nd4j.exec(new Mmul(na, nb, nc, 1.0, 0.0,
                    MMulTranspose.builder().transposeA(transposeA).transposeB(transposeB).build()));
            }
            OffHeapCopy.get(nc, 0, out, 0, out.size());
            return out;
        } finally {
            OffHeapCopy.release(na, nb, nc);
        }
    }

    private static String leading(int[] batchShape) {
        StringBuilder s = new StringBuilder();
        for (int d : batchShape) {
            s.append(d).append(", ");
        }
        return s.toString();
    }
}
