package org.attune.positional.bias;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import org.attune.api.position.PositionalCall;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;

/**
 * The learned parameters of an encoding (embedding tables, bias tables, projections): read from a {@code .npy}
 * file named by a parameter, or drawn from {@code SplittableRandom(seed)} in row-major order, so that a run can
 * be repeated exactly; Gaussian draws are Box–Muller on two uniforms, g = √(−2 ln(1 − u₁))·cos(2πu₂). A relative
 * file path is taken from the container's working directory; give absolute paths from the shell.
 */
final class ParameterTables {
    private ParameterTables() {
    }

    /** How a seeded table is drawn. */
    enum Draw {
        /** N(0, σ²). */
        NORMAL,
        /** N(0, σ²) redrawn outside ±2σ (timm's {@code trunc_normal_}, used by Swin). */
        TRUNCATED_NORMAL,
        /** U(−σ, σ). */
        UNIFORM
    }

    /**
     * The table of the given shape: from the file named by parameter {@code fileParam} if given (float64 copy,
     * shape checked; an entry −1 of {@code shape} accepts any size), else drawn from
     * {@code SplittableRandom(seed)}, {@code seed} a parameter (default 0), when {@code shape} has no −1.
     */
    static Tensor of(PositionalCall call, String fileParam, String layout, Draw draw, double sigma, int... shape) {
        String file = call.param(fileParam, "");
        if (!file.isBlank()) {
            return read(PositionalCall.option(fileParam), Path.of(file.strip()), layout, shape);
        }
        for (int size : shape) {
            if (size < 0) {
                throw new InvalidInputException(PositionalCall.option(fileParam), "expected a .npy file " + layout);
            }
        }
        return draw(new SplittableRandom(call.intParam("seed", 0)), draw, sigma, shape);
    }

    /** A float32 or float64 {@code .npy} file of the given shape (−1 = any size) as float64. */
    static Tensor read(String option, Path path, String layout, int... shape) {
        return read(option, path, layout, new DType[] {DType.FLOAT32, DType.FLOAT64}, shape).to(DType.FLOAT64);
    }

    /** A {@code .npy} file of one of the given element types and of the given shape (−1 = any size), as read. */
    static Tensor read(String option, Path path, String layout, DType[] types, int... shape) {
        if (!Files.isRegularFile(path)) {
            throw new InvalidInputException(option, "no such file " + path.toAbsolutePath());
        }
        Tensor t;
        try {
            t = Npy.read(path);
        } catch (IOException e) {
            throw new InvalidInputException(option, "cannot read " + path + ": " + e.getMessage());
        }
        t.requireDType(option, types);
        boolean fits = t.rank() == shape.length;
        for (int i = 0; fits && i < shape.length; i++) {
            fits = shape[i] < 0 || shape[i] == t.dim(i);
        }
        if (!fits) {
            throw InvalidInputException.shape(option, layout + " = " + Arrays.toString(shape), t.shape());
        }
        return t;
    }

    /** A float64 table drawn from {@code random} in row-major order. */
    static Tensor draw(SplittableRandom random, Draw draw, double sigma, int... shape) {
        Tensor t = Tensor.zeros(DType.FLOAT64, shape);
        for (int i = 0; i < t.size(); i++) {
            t.setFlat(i, switch (draw) {
                case NORMAL -> sigma * gaussian(random);
                case TRUNCATED_NORMAL -> {
                    double g;
                    do {
                        g = gaussian(random);
                    } while (Math.abs(g) > 2);
                    yield sigma * g;
                }
                case UNIFORM -> sigma * (2 * random.nextDouble() - 1);
            });
        }
        return t;
    }

    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}
