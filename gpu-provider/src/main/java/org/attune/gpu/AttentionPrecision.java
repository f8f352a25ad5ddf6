package org.attune.gpu;

import java.util.Locale;

/**
 * The arithmetic of the attention kernels. Inputs and outputs are float32 tensors either way; BF16 and FP16 round
 * q, k, v and the softmax weights P to 16 bits on the device and run both products on tensor cores with float32
 * accumulation, with the softmax statistics in float32.
 */
enum AttentionPrecision {
    /** float32 throughout (CUDA cores). */
    FP32("f32"),
    /** bfloat16 operands (8-bit mantissa), float32 accumulation (tensor cores). */
    BF16("bf16"),
    /** float16 operands (11-bit mantissa), float32 accumulation (tensor cores). */
    FP16("fp16");

    private final String kernelName;

    AttentionPrecision(String kernelName) {
        this.kernelName = kernelName;
    }

    /** Whether the tensor-core kernel runs it. */
    boolean tensorCores() {
        return this != FP32;
    }

    /** The kernel name for head-dimension bucket {@code bucket}, e.g. {@code attention_bf16_d128}. */
    String kernel(int bucket) {
        return "attention_" + kernelName + "_d" + bucket;
    }

    /** The lower-case name used on the shell: fp32, bf16, fp16. */
    String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses fp32/f32/float32, bf16/bfloat16, fp16/f16/float16 (any case). */
    static AttentionPrecision parse(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "fp32", "f32", "float32" -> FP32;
            case "bf16", "bfloat16" -> BF16;
            case "fp16", "f16", "float16", "half" -> FP16;
            default -> throw new IllegalArgumentException("precision: expected fp32, bf16 or fp16, got '" + text + "'");
        };
    }
}
