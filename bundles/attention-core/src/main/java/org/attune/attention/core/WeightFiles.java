package org.attune.attention.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;

/**
 * Weights read from {@code NAME.npy} files (float32 or float64, C order) in one directory, checked
 * against the shapes the method needs. Read on every call, so edited files take effect at once.
 */
final class WeightFiles implements WeightSource {
    private static final String OPTION = "--opt " + WEIGHTS;
    private final Path dir;

    WeightFiles(Path dir) {
        this.dir = dir;
    }

    @Override
    public Tensor matrix(String name, int rows, int cols) {
        return read(name, true, rows, cols);
    }

    @Override
    public Tensor vector(String name, int n) {
        return read(name, true, n);
    }

    @Override
    public Tensor bias(String name, int n) {
        return read(name, false, n);
    }

    private Tensor read(String name, boolean required, int... shape) {
        Path file = dir.resolve(name + ".npy");
        if (!Files.isRegularFile(file)) {
            if (required) {
                throw new InvalidInputException(OPTION, "missing " + file + " (expected shape " + Tensor.format(shape) + ")");
            }
            return null;
        }
        Tensor t;
        try {
            t = Npy.read(file);
        } catch (IOException e) {
            throw new InvalidInputException(OPTION, "cannot read " + file + ": " + e.getMessage());
        } catch (InvalidInputException e) {
            throw new InvalidInputException(OPTION, e.getMessage());
        }
        if (!t.dtype().isFloating()) {
            throw new InvalidInputException(OPTION, file + ": expected dtype f32 or f64, got " + t.dtype().shortName());
        }
        try {
            t.requireShape(file.toString(), Tensor.format(shape), shape);
        } catch (InvalidInputException e) {
            throw new InvalidInputException(OPTION, e.getMessage());
        }
        return t.to(DType.FLOAT64);
    }
}
