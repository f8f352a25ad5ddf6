package org.attune.equivariance.canonicalization;

import java.util.Arrays;
import java.util.Map;

import org.attune.api.method.Parameters;
import org.attune.api.equivariance.GeometricInput;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/**
 * A checked method input: coordinates [N, d] and features [N, C] of one floating element type, and the method
 * parameters, read with their defaults.
 *
 * @param coords [N, d]
 * @param feats  [N, C]
 * @param params method parameters by name
 */
record PointCloud(Tensor coords, Tensor feats, Map<String, String> params) {
    /** Checks N ≥ 1 and d within [minDim, maxDim]. */
    static PointCloud of(GeometricInput in, int minDim, int maxDim) {
        Tensor x = in.coords();
        Tensor h = in.feats();
        String dims = minDim == maxDim ? "dim = " + minDim : "dim in " + minDim + ".." + maxDim;
        if (x == null || x.rank() != 2 || !x.dtype().isFloating() || x.dim(0) < 1 || x.dim(1) < minDim
            || x.dim(1) > maxDim) {
            throw new InvalidInputException("coords", "expected floating [nodes >= 1, " + dims + "], got "
                + (x == null ? "none" : x.dtype().shortName() + " " + Arrays.toString(x.shape())));
        }
        DType dtype = x.dtype();
        if (h == null || h.rank() != 2 || h.dim(0) != x.dim(0) || h.dtype() != dtype) {
            throw new InvalidInputException("feats", "expected " + dtype.shortName() + " [" + x.dim(0)
                + ", channels], got " + (h == null ? "none" : h.dtype().shortName() + " " + Arrays.toString(h.shape())));
        }
        return new PointCloud(x, h, in.params());
    }

    /** An integer parameter of at least 1. */
    int positive(String name, int dflt) {
        return new Parameters(params, "").integer(name, dflt, 1);
    }
}
