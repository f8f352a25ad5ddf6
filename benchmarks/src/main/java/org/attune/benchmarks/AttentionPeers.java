package org.attune.benchmarks;

import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import org.attune.api.backend.AttentionOptions;
import org.attune.api.backend.ComputeBackend;
import org.attune.api.tensor.DType;
import org.attune.api.tensor.Tensor;
import org.attune.backend.cpu.CompositeAttention;
import org.attune.backend.cpu.Nd4jCpuBackend;

/**
 * The attention implementations compared, each prepared for one problem (batch 1, H heads, n, d, causal or not,
 * float32, seeded N(0, 1) inputs, 2 threads) and then run repeatedly with {@link Prepared#run()}.
 */
enum AttentionPeers {
    /** The CPU backend's fused kernel ({@code FlashAttentionKernel}). */
    FUSED("fused kernel"),
    /** The CPU backend's former Nd4j composite path: gemm, softmax, gemm. */
    ND4J("Nd4j composite"),
    /** ONNX Runtime 1.23.2 {@code com.microsoft:MultiHeadAttention}. */
    ORT_MHA("ORT MultiHeadAttention"),
    /** ONNX Runtime 1.23.2 plain-ops graph (MatMul, Softmax, MatMul). */
    ORT_PLAIN("ORT plain ops");

    /** Largest n for which the plain graph runs: it allocates [H, n, n] scores twice (512 MiB each at 8 heads, n = 4096). */
    static final int PLAIN_LIMIT = 4096;

    private final String label;

    AttentionPeers(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }

    /** Whether this peer runs at length n (the plain ORT graph holds [H, n, n] scores twice). */
    boolean runs(int n) {
        return this != ORT_PLAIN || n <= PLAIN_LIMIT;
    }

    /** One prepared problem. */
    interface Prepared extends AutoCloseable {
        void run();

        /** Runs once and returns the output in the layout [1, H, n, d]. */
        float[] result();

        @Override
        void close();
    }

    /** Seeded inputs [1, heads, n, d]. */
    static Tensor[] inputs(int heads, int n, int d) {
        Random r = new Random(42);
        Tensor[] t = new Tensor[3];
        for (int i = 0; i < 3; i++) {
            float[] a = new float[heads * n * d];
            for (int x = 0; x < a.length; x++) {
                a[x] = (float) r.nextGaussian();
            }
            t[i] = Tensor.of(a, 1, heads, n, d);
        }
        return t;
    }

    Prepared prepare(Tensor[] qkv, boolean causal) {
        Tensor q = qkv[0], k = qkv[1], v = qkv[2];
        AttentionOptions o = AttentionOptions.builder().causal(causal).build();
        Tensor out = Tensor.zeros(DType.FLOAT32, q.shape());
        switch (this) {
            case FUSED: {
                ComputeBackend backend = new Nd4jCpuBackend();
                return prepared(() -> backend.attention(q, k, v, o, out), out);
            }
            case ND4J:
                return prepared(() -> CompositeAttention.compute(q, k, v, o, out), out);
            default:
                return ort(q, k, v, causal);
        }
    }

    private static Prepared prepared(Runnable r, Tensor out) {
        return new Prepared() {
            @Override
            public void run() {
                r.run();
            }

            @Override
            public float[] result() {
                r.run();
                return out.floatData().clone();
            }

            @Override
            public void close() {
            }
        };
    }

    private Prepared ort(Tensor q, Tensor k, Tensor v, boolean causal) {
        int h = q.dim(1), n = q.dim(2), d = q.dim(3);
        try {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions so = new OrtSession.SessionOptions();
            so.setIntraOpNumThreads(2);
            so.setInterOpNumThreads(1);
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            // ORT's pool threads otherwise spin for a while after each run, taking the CPU from whichever peer runs
            // next in the rotated order
            so.addConfigEntry("session.intra_op.allow_spinning", "0");
            Map<String, OnnxTensor> feed = new HashMap<>();
            byte[] model;
            if (this == ORT_MHA) {
                model = OnnxAttentionModels.multiHeadAttention(h, causal);
                String[] names = {"Q", "K", "V"};
                Tensor[] ts = {q, k, v};
                for (int i = 0; i < 3; i++) {
                    feed.put(names[i], OnnxTensor.createTensor(env, FloatBuffer.wrap(interleaveHeads(ts[i])),
                        new long[] {1, n, (long) h * d}));
                }
            } else {
                model = OnnxAttentionModels.plainOps((float) (1 / Math.sqrt(d)), causal);
                feed.put("Q", OnnxTensor.createTensor(env, FloatBuffer.wrap(q.floatData()), longs(q.shape())));
                feed.put("K", OnnxTensor.createTensor(env, FloatBuffer.wrap(k.floatData()), longs(k.shape())));
                feed.put("V", OnnxTensor.createTensor(env, FloatBuffer.wrap(v.floatData()), longs(v.shape())));
                if (causal) {
                    float[] m = new float[n * n];
                    for (int i = 0; i < n; i++) {
                        for (int j = i + 1; j < n; j++) {
                            m[i * n + j] = Float.NEGATIVE_INFINITY;
                        }
                    }
                    feed.put("M", OnnxTensor.createTensor(env, FloatBuffer.wrap(m), new long[] {n, n}));
                }
            }
            OrtSession session = env.createSession(model, so);
            return new Prepared() {
                @Override
                public void run() {
                    try (OrtSession.Result r = session.run(feed)) {
                        if (r.size() != 1) {
                            throw new IllegalStateException("one output expected");
                        }
                    } catch (OrtException e) {
                        throw new IllegalStateException(e);
                    }
                }

                @Override
                public float[] result() {
                    try (OrtSession.Result r = session.run(feed)) {
                        FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
                        float[] flat = new float[fb.remaining()];
                        fb.get(flat);
                        return AttentionPeers.this == ORT_MHA ? separateHeads(flat, h, n, d) : flat;
                    } catch (OrtException e) {
                        throw new IllegalStateException(e);
                    }
                }

                @Override
                public void close() {
                    try {
                        session.close();
                        so.close();
                    } catch (OrtException e) {
                        throw new IllegalStateException(e);
                    }
                    feed.values().forEach(OnnxTensor::close);
                }
            };
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    /** [1, H, n, d] → [1, n, H·d], the layout of MultiHeadAttention. */
    static float[] interleaveHeads(Tensor t) {
        int h = t.dim(1), n = t.dim(2), d = t.dim(3);
        float[] a = t.floatData();
        float[] r = new float[a.length];
        for (int x = 0; x < h; x++) {
            for (int i = 0; i < n; i++) {
                System.arraycopy(a, (x * n + i) * d, r, (i * h + x) * d, d);
            }
        }
        return r;
    }

    /** [1, n, H·d] → [1, H, n, d], the inverse of {@link #interleaveHeads}. */
    static float[] separateHeads(float[] a, int h, int n, int d) {
        float[] r = new float[a.length];
        for (int x = 0; x < h; x++) {
            for (int i = 0; i < n; i++) {
                System.arraycopy(a, (i * h + x) * d, r, (x * n + i) * d, d);
            }
        }
        return r;
    }

    private static long[] longs(int[] shape) {
        long[] r = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            r[i] = shape[i];
        }
        return r;
    }
}
