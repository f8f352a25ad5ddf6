package org.attune.equivariance.graph;

import java.util.Arrays;

import org.attune.api.method.Parameters;
import org.attune.api.equivariance.GeometricInput;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/**
 * A geometric input read for the steerable methods: float64 positions x[node][3] and features
 * h[node][l][c][m + l] unpacked with the layout named by the {@code in} parameter (default: every channel a
 * scalar, {@code Cx0}), and the element type results are returned in. Coordinates must be floating
 * [nodes, 3] and features [nodes, channels of the layout] of the same type.
 *
 * @param x      positions
 * @param h      features
 * @param in     the input layout
 * @param dtype  element type of coords and feats
 * @param params the call's parameters
 */
record SteerableGraph(double[][] x, double[][][][] h, IrrepLayout in, DType dtype, Parameters params) {
    static SteerableGraph read(GeometricInput input) {
        Tensor c = input.coords();
        Tensor f = input.feats();
        if (c == null || c.rank() != 2 || c.dim(1) != 3 || !c.dtype().isFloating()) {
            throw new InvalidInputException("coords", "expected floating [nodes, 3], got "
                + (c == null ? "none" : c.dtype().shortName() + " " + Arrays.toString(c.shape())));
        }
        int n = c.dim(0);
        if (f == null || f.rank() != 2 || f.dim(0) != n || f.dtype() != c.dtype()) {
            throw new InvalidInputException("feats", "expected " + c.dtype().shortName() + " [" + n + ", channels], got "
                + (f == null ? "none" : f.dtype().shortName() + " " + Arrays.toString(f.shape())));
        }
        Parameters params = input.parameters();
        IrrepLayout in = IrrepLayout.parameter(params, "in", new IrrepLayout(new int[] {f.dim(1)}));
        if (in.channels() != f.dim(1)) {
            throw new InvalidInputException("feats", "expected [" + n + ", " + in.channels() + "] for the layout in="
                + in + ", got " + Arrays.toString(f.shape()));
        }
        double[][] x = new double[n][3];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < 3; a++) {
                x[i][a] = c.get(i, a);
            }
        }
        return new SteerableGraph(x, in.unpack(f), in, c.dtype(), params);
    }

    /** The {@code out} layout (default: the input's). */
    IrrepLayout out() {
        return IrrepLayout.parameter(params, "out", in);
    }

    /** Positions as a [nodes, 3] tensor of the input's type. */
    Tensor coords(double[][] positions) {
        double[] flat = new double[3 * positions.length];
        for (int i = 0; i < positions.length; i++) {
            System.arraycopy(positions[i], 0, flat, 3 * i, 3);
        }
        return Tensor.of(flat, positions.length, 3).to(dtype);
    }
}
