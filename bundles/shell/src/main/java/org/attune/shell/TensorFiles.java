package org.attune.shell;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.attune.api.tensor.DType;
import org.attune.api.tensor.InvalidInputException;
import org.attune.api.tensor.Npy;
import org.attune.api.tensor.Tensor;

/**
 * Reads and writes the {@code .npy} files named on the command line. Relative paths are resolved against the
 * directory the user started {@code ./attune} in, which the script passes as the system property
 * {@value #CWD_PROPERTY} (it runs the JVM from the repository top, where {@code deploy/} is); without the property,
 * against the JVM's working directory. Every failure names the argument.
 */
final class TensorFiles {
    /** System property: the user's working directory, against which relative paths are resolved. */
    static final String CWD_PROPERTY = "attune.cwd";

    private TensorFiles() {
    }

    /** The absolute path of a path given on the command line. */
    static Path resolve(String path) {
        String cwd = System.getProperty(CWD_PROPERTY);
        return cwd == null ? new File(path).getAbsoluteFile().toPath() : Path.of(cwd).resolve(path).toAbsolutePath();
    }

    /**
     * Reads a tensor.
     *
     * @param argument the argument as the user knows it, e.g. {@code Q.npy} or {@code --mask}
     * @param path     the path as given
     * @throws CommandFailure when the file is missing, unreadable or not a supported {@code .npy}
     */
    static Tensor read(String argument, String path) {
        Path file = resolve(path);
        if (!Files.exists(file)) {
            throw new CommandFailure(argument + ": no such file " + file);
        }
        if (Files.isDirectory(file)) {
            throw new CommandFailure(argument + ": " + file + " is a directory, expected a .npy file");
        }
        try {
            return Npy.read(file);
        } catch (InvalidInputException e) {
            throw new CommandFailure(argument + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new CommandFailure(argument + ": cannot read " + file + ": " + describe(e), e);
        }
    }

    /**
     * Writes a tensor as float32 {@code .npy}, replacing the file.
     *
     * @return the absolute path written
     */
    static Path writeFloat32(String argument, String path, Tensor t) {
        Path file = resolve(path);
        if (Files.isDirectory(file)) {
            throw new CommandFailure(argument + ": " + file + " is a directory, expected a file name");
        }
        try {
            Npy.write(file, t.dtype() == DType.FLOAT32 ? t : t.to(DType.FLOAT32));
            return file;
        } catch (IOException e) {
            throw new CommandFailure(argument + ": cannot write " + file + ": " + describe(e), e);
        }
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : " " + CommandFailure.oneLine(m));
    }
}
