package org.attune.gpu;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The compiled kernels shipped in this bundle under {@value #FOLDER}: the images build-kernels.sh wrote (PTX for
 * compute_80 and compute_90, an sm_90 cubin) and {@code kernels.properties}, which says whether the build had
 * nvcc. Picks the image for a device: the cubin when the architecture matches exactly, else the newest PTX the
 * device can JIT-compile (PTX for compute_XY runs on capability ≥ X.Y).
 */
final class KernelImages {
    /** Resource folder of the images. */
    static final String FOLDER = "/org/attune/gpu/kernels/";
    static final String MANIFEST = "kernels.properties";

    private final Properties manifest;

    private KernelImages(Properties manifest) {
        this.manifest = manifest;
    }

    /** The manifest of the kernels packaged with this class. */
    static KernelImages bundled() {
        Properties p = new Properties();
        try (InputStream in = KernelImages.class.getResourceAsStream(FOLDER + MANIFEST)) {
            if (in != null) {
                p.load(in);
            } else {
                p.setProperty("compiled", "false");
                p.setProperty("reason", "the bundle holds no " + FOLDER + MANIFEST);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new KernelImages(p);
    }

    /** Whether the build compiled kernels. */
    boolean compiled() {
        return Boolean.parseBoolean(manifest.getProperty("compiled", "false"));
    }

    /** Why there are no kernels, when {@link #compiled()} is false. */
    String reason() {
        return manifest.getProperty("reason", "");
    }

    /** The nvcc that compiled them, e.g. {@code CUDA 13.0 (V13.0.88)}. */
    String compiler() {
        return manifest.getProperty("nvcc", "none");
    }

    /** Resource names of the images, best first. */
    List<String> names() {
        String list = manifest.getProperty("images", "");
        List<String> names = new ArrayList<>();
        for (String n : list.split(",")) {
            if (!n.isBlank()) {
                names.add(n.strip());
            }
        }
        return names;
    }

    /** The image to load on a device of the given compute capability (e.g. 90), if any fits. */
    Optional<String> choose(int capability) {
        for (String name : names()) {
            int arch = architecture(name);
            boolean cubin = name.endsWith(".cubin");
            if (cubin ? arch == capability : arch <= capability) {
                return Optional.of(name);
            }
        }
        return Optional.empty();
    }

    /** The architecture number in an image name: {@code attune_kernels.compute_80.ptx} → 80. */
    static int architecture(String name) {
        String[] parts = name.split("\\.");
        String arch = parts[parts.length - 2];
        return Integer.parseInt(arch.substring(arch.indexOf('_') + 1).replaceAll("[^0-9]", ""));
    }

    /** The bytes of one image. */
    static byte[] read(String name) {
        try (InputStream in = KernelImages.class.getResourceAsStream(FOLDER + name)) {
            if (in == null) {
                throw new IllegalStateException("kernel image " + FOLDER + name + " is missing from the bundle");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
