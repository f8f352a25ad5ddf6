package org.attune.equivariance.graph;

import java.util.Arrays;

import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;
import org.attune.api.method.Parameters;

/**
 * How steerable features are packed into the channels of a [nodes, channels] tensor, written as e3nn writes
 * irreps: {@code "4x0+2x1+1x2"} is 4 scalars, 2 type-1 and 1 type-2 features per node. Degrees appear at most
 * once and in ascending order; block after block, each block is [multiplicity][2l + 1] row-major (channel c of
 * degree l, component m at offset(l) + c·(2l + 1) + m + l), so channels = Σ_l mul_l·(2l + 1). Components follow
 * {@link org.attune.api.equivariance.IrrepAlgebra}: degree 1 is ordered (y, z, x).
 *
 * <p>In memory the features of one node are {@code double[l][c][m + l]} (a degree absent from the layout has
 * no channels), and of a graph {@code double[node][l][c][m + l]}, always float64.
 *
 * @param mul multiplicity per degree, index l
 */
record IrrepLayout(int[] mul) {
    /** The layout given as parameter {@code name} ({@link #parse}), or {@code dflt} when absent. */
    static IrrepLayout parameter(Parameters p, String name, IrrepLayout dflt) {
        String s = p.text(name, null);
        return s == null ? dflt : parse(s, p.argument(name));
    }

    /** Parses {@code MULxL+...}; {@code argument} names the option in errors. */
    static IrrepLayout parse(String spec, String argument) {
        String expected = "expected irreps such as 4x0+2x1 (multiplicity x degree, degrees ascending), got '" + spec + "'";
        int[] mul = new int[0];
        int last = -1;
        for (String block : spec.strip().split("\\+")) {
            String[] parts = block.strip().split("x");
            if (parts.length != 2) {
                throw new InvalidInputException(argument, expected);
            }
            int m;
            int l;
            try {
                m = Integer.parseInt(parts[0].strip());
                l = Integer.parseInt(parts[1].strip());
            } catch (NumberFormatException e) {
                throw new InvalidInputException(argument, expected);
            }
            if (m < 1 || l <= last) {
                throw new InvalidInputException(argument, expected);
            }
            mul = Arrays.copyOf(mul, l + 1);
            mul[l] = m;
            last = l;
        }
        return new IrrepLayout(mul);
    }

    /** {@code mul} channels of every degree 0..degree. */
    static IrrepLayout uniform(int mul, int degree) {
        int[] m = new int[degree + 1];
        Arrays.fill(m, mul);
        return new IrrepLayout(m);
    }

    /** This layout with {@code extra} more channels of degree l. */
    IrrepLayout plus(int l, int extra) {
        int[] m = Arrays.copyOf(mul, Math.max(mul.length, l + 1));
        m[l] += extra;
        return new IrrepLayout(m);
    }

    /** The largest degree with channels. */
    int maxDegree() {
        return mul.length - 1;
    }

    /** Channels of degree l (0 beyond the largest degree). */
    int mul(int l) {
        return l < mul.length ? mul[l] : 0;
    }

    /** Σ_l mul_l·(2l + 1). */
    int channels() {
        int c = 0;
        for (int l = 0; l < mul.length; l++) {
            c += mul[l] * (2 * l + 1);
        }
        return c;
    }

    /** Zero features of one node. */
    double[][][] zeros() {
        double[][][] f = new double[mul.length][][];
        for (int l = 0; l < mul.length; l++) {
            f[l] = new double[mul[l]][2 * l + 1];
        }
        return f;
    }

    /** feats [nodes, channels()] (any floating type) as float64 features per node. */
    double[][][][] unpack(Tensor feats) {
        int n = feats.dim(0);
        double[][][][] out = new double[n][][][];
        for (int i = 0; i < n; i++) {
            out[i] = zeros();
            int k = 0;
            for (int l = 0; l < mul.length; l++) {
                for (int c = 0; c < mul[l]; c++) {
                    for (int m = 0; m <= 2 * l; m++) {
                        out[i][l][c][m] = feats.get(i, k++);
                    }
                }
            }
        }
        return out;
    }

    /** Features per node as a [nodes, channels()] tensor of the given type. */
    Tensor pack(double[][][][] h, DType dtype) {
        int n = h.length;
        double[] flat = new double[n * channels()];
        int k = 0;
        for (double[][][] node : h) {
            for (int l = 0; l < mul.length; l++) {
                for (int c = 0; c < mul[l]; c++) {
                    for (int m = 0; m <= 2 * l; m++) {
                        flat[k++] = node[l][c][m];
                    }
                }
            }
        }
        return Tensor.of(flat, n, channels()).to(dtype);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (int l = 0; l < mul.length; l++) {
            if (mul[l] > 0) {
                s.append(s.isEmpty() ? "" : "+").append(mul[l]).append('x').append(l);
            }
        }
        return s.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IrrepLayout other && toString().equals(other.toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
