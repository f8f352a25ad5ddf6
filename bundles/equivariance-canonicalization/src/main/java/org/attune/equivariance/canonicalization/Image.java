package org.attune.equivariance.canonicalization;

import java.util.Arrays;

import org.attune.api.equivariance.GeometricInput;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Tensor;

/**
 * A checked image [C, H, W] (the {@code image} representation of the symmetry groups: the last two axes are
 * the pixel grid, so a group's roll, rot90 or flip acts on it directly) and the pure data movements the image
 * methods need: circular rolls, quarter turns and the window matrix of a strided convolution. Movements copy
 * values and do no arithmetic, so a moved image is bit-identical to the same image computed any other way.
 *
 * @param data [C, H, W], floating; not modified
 */
record Image(Tensor data) {
    /** The image in an input's {@code feats}: [C, H, W], or [H, W] read as one channel. */
    static Image of(GeometricInput in) {
        Tensor x = in.feats();
        if (x == null || !x.dtype().isFloating() || x.rank() < 2 || x.rank() > 3 || x.size() == 0) {
            throw new InvalidInputException("feats", "expected a floating image [channels, H, W] or [H, W] with "
                + "H, W >= 1, got " + (x == null ? "none" : x.dtype().shortName() + " " + Arrays.toString(x.shape())));
        }
        return new Image(x.rank() == 2 ? x.reshape(1, x.dim(0), x.dim(1)) : x);
    }

    int channels() {
        return data.dim(0);
    }

    int height() {
        return data.dim(1);
    }

    int width() {
        return data.dim(2);
    }

    /** x[c][i][j], read in float64. */
    double at(int c, int i, int j) {
        return data.getFlat((c * height() + i) * width() + j);
    }

    /** The circular roll that moves pixel (di, dj) to the origin: {@code out[c][i][j] = x[c][(i + di) mod H][(j + dj) mod W]}. */
    Image rollToOrigin(int di, int dj) {
        int h = height();
        int w = width();
        Tensor out = Tensor.zeros(data.dtype(), channels(), h, w);
        for (int c = 0; c < channels(); c++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    out.setFlat((c * h + i) * w + j, at(c, Math.floorMod(i + di, h), Math.floorMod(j + dj, w)));
                }
            }
        }
        return new Image(out);
    }

    /**
     * q counter-clockwise quarter turns (q mod 4), NumPy's {@code rot90} and the C_4 image action of the symmetry
     * bundle: one turn is {@code out[i][j] = x[j][W−1−i]}; odd q need H = W.
     */
    Image rot90(int q) {
        Image x = this;
        for (int r = 0; r < Math.floorMod(q, 4); r++) {
            int h = x.height();
            int w = x.width();
            Tensor out = Tensor.zeros(data.dtype(), channels(), w, h);
            for (int c = 0; c < channels(); c++) {
                for (int i = 0; i < w; i++) {
                    for (int j = 0; j < h; j++) {
                        out.setFlat((c * w + i) * h + j, x.at(c, j, w - 1 - i));
                    }
                }
            }
            x = new Image(out);
        }
        return x;
    }

    /**
     * The window matrix of a circular convolution with a k×k kernel, stride s and offset o: row a·(W/s) + b holds
     * the pixels x[c][(s·a + u − o) mod H][(s·b + v − o) mod W] at column (c·k + u)·k + v, for the (H/s)·(W/s)
     * output positions (a, b). A k×k convolution with weights [C·k², out] is this matrix times the weights.
     */
    Tensor windows(int k, int s, int o) {
        int h = height();
        int w = width();
        int rows = h / s;
        int cols = w / s;
        Tensor out = Tensor.zeros(data.dtype(), rows * cols, channels() * k * k);
        int width = channels() * k * k;
        for (int a = 0; a < rows; a++) {
            for (int b = 0; b < cols; b++) {
                for (int c = 0; c < channels(); c++) {
                    for (int u = 0; u < k; u++) {
                        for (int v = 0; v < k; v++) {
                            out.setFlat((a * cols + b) * width + (c * k + u) * k + v,
                                at(c, Math.floorMod(s * a + u - o, h), Math.floorMod(s * b + v - o, w)));
                        }
                    }
                }
            }
        }
        return out;
    }
}
