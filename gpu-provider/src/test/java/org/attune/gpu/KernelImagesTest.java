package org.attune.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The kernel images the build put into the bundle: present, PTX readable as text with the expected entries. */
class KernelImagesTest {

    private static KernelImages compiled() {
        KernelImages images = KernelImages.bundled();
        Assumptions.assumeTrue(images.compiled(), "built without nvcc: " + images.reason());
        return images;
    }

    @Test
    void ptxImagesAreTextWithVersionTargetAndEveryKernel() {
        KernelImages images = compiled();
        List<String> ptx = images.names().stream().filter(n -> n.endsWith(".ptx")).toList();
        assertEquals(List.of("attune_kernels.compute_90.ptx", "attune_kernels.compute_80.ptx"), ptx);
        for (String name : ptx) {
            String text = new String(KernelImages.read(name), StandardCharsets.US_ASCII);
            int arch = KernelImages.architecture(name);
            assertTrue(text.contains("\n.version 9."), name + ": PTX ISA 9.x (CUDA 13)");
            assertTrue(text.contains("\n.target sm_" + arch), name + ": .target sm_" + arch);
            assertTrue(text.contains("\n.address_size 64"), name);
            for (String kernel : CudaSession.KERNELS) {
                assertTrue(text.contains(".entry " + kernel + "("), name + " lacks entry " + kernel);
            }
        }
    }

    @Test
    void cubinIsAnElfImage() {
        KernelImages images = compiled();
        byte[] cubin = KernelImages.read("attune_kernels.sm_90.cubin");
        assertEquals(0x7f, cubin[0]);
        assertEquals("ELF", new String(cubin, 1, 3, StandardCharsets.US_ASCII));
        assertTrue(images.compiler().startsWith("CUDA "), images.compiler());
    }

    @Test
    void imageChoiceFollowsTheComputeCapability() {
        KernelImages images = compiled();
        assertEquals(Optional.of("attune_kernels.sm_90.cubin"), images.choose(90));
        assertEquals(Optional.of("attune_kernels.compute_90.ptx"), images.choose(100));
        assertEquals(Optional.of("attune_kernels.compute_90.ptx"), images.choose(120));
        assertEquals(Optional.of("attune_kernels.compute_80.ptx"), images.choose(89));
        assertEquals(Optional.of("attune_kernels.compute_80.ptx"), images.choose(80));
        assertEquals(Optional.empty(), images.choose(75));
    }

    @Test
    void architectureIsReadFromTheName() {
        assertEquals(80, KernelImages.architecture("attune_kernels.compute_80.ptx"));
        assertEquals(90, KernelImages.architecture("attune_kernels.sm_90.cubin"));
        assertEquals(90, KernelImages.architecture("attune_kernels.sm_90a.cubin"));
    }
}
