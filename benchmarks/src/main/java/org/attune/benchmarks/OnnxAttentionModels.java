package org.attune.benchmarks;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * ONNX attention graphs as {@code ModelProto} bytes, written in plain Java (no onnx library): a minimal protobuf
 * writer and the two graphs the benchmarks time.
 * <ul>
 * <li>{@link #multiHeadAttention}: the {@code com.microsoft:MultiHeadAttention} contrib op (ONNX Runtime's fused CPU
 * kernel), q, k, v [B, N, H·D], {@code unidirectional = 1} for causal.</li>
 * <li>{@link #plainOps}: opset 17 {@code Transpose, Mul(scale), MatMul, [Add(mask)], Softmax(-1), MatMul} on
 * [B, H, N, D], the same unfused algorithm as the Nd4j composite path; causal feeds an additive [N, N] mask input
 * {@code M} (0 or −∞).</li>
 * </ul>
 * Field numbers are those of onnx.proto3 (ModelProto, GraphProto, NodeProto, AttributeProto, ValueInfoProto,
 * TensorProto).
 */
final class OnnxAttentionModels {
    private OnnxAttentionModels() {
    }

    static byte[] multiHeadAttention(int heads, boolean causal) {
        Proto g = new Proto();
        g.msg(1, Proto.node("MultiHeadAttention", "com.microsoft", new String[] {"Q", "K", "V"}, new String[] {"O"},
            Proto.attrInt("num_heads", heads), Proto.attrInt("unidirectional", causal ? 1 : 0)));
        g.str(2, "mha");
        for (String s : new String[] {"Q", "K", "V"}) {
            g.msg(11, Proto.valueInfo(s, "B", "N" + s, "HD"));
        }
        g.msg(12, Proto.valueInfo("O", "B", "NO", "HD"));
        return Proto.model(g, 8, "", 17, "com.microsoft", 1);
    }

    static byte[] plainOps(float scale, boolean causal) {
        Proto g = new Proto();
        g.msg(1, Proto.node("Transpose", null, new String[] {"K"}, new String[] {"Kt"}, Proto.attrInts("perm", 0, 1, 3, 2)));
        g.msg(1, Proto.node("Mul", null, new String[] {"Q", "scale"}, new String[] {"Qs"}));
        g.msg(1, Proto.node("MatMul", null, new String[] {"Qs", "Kt"}, new String[] {"S"}));
        String logits = "S";
        if (causal) {
            g.msg(1, Proto.node("Add", null, new String[] {"S", "M"}, new String[] {"Sm"}));
            logits = "Sm";
        }
        g.msg(1, Proto.node("Softmax", null, new String[] {logits}, new String[] {"P"}, Proto.attrInt("axis", -1)));
        g.msg(1, Proto.node("MatMul", null, new String[] {"P", "V"}, new String[] {"O"}));
        g.str(2, "plain");
        g.msg(5, Proto.scalarFloat("scale", scale));
        for (String s : new String[] {"Q", "K", "V"}) {
            g.msg(11, Proto.valueInfo(s, "B", "H", "N" + s, "D"));
        }
        if (causal) {
            g.msg(11, Proto.valueInfo("M", "NQ", "NK"));
        }
        g.msg(12, Proto.valueInfo("O", "B", "H", "NO", "D"));
        return Proto.model(g, 8, "", 17);
    }

    /** A protobuf message under construction (varint, fixed32 and length-delimited fields only). */
    private static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        private void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
        }

        private void tag(int field, int wire) {
            varint(((long) field << 3) | wire);
        }

        Proto i64(int field, long v) {
            tag(field, 0);
            varint(v);
            return this;
        }

        Proto str(int field, String s) {
            return bytes(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Proto bytes(int field, byte[] b) {
            tag(field, 2);
            varint(b.length);
            out.write(b, 0, b.length);
            return this;
        }

        Proto msg(int field, Proto m) {
            return bytes(field, m.out.toByteArray());
        }

        Proto f32(int field, float v) {
            tag(field, 5);
            int b = Float.floatToIntBits(v);
            for (int i = 0; i < 4; i++) {
                out.write((b >>> (8 * i)) & 0xFF);
            }
            return this;
        }

        /** ValueInfoProto{1 name, 2 TypeProto{1 Tensor{1 elem_type = FLOAT, 2 Shape{1 Dim{2 dim_param}}}}}. */
        static Proto valueInfo(String name, String... dims) {
            Proto shape = new Proto();
            for (String d : dims) {
                shape.msg(1, new Proto().str(2, d));
            }
            return new Proto().str(1, name).msg(2, new Proto().msg(1, new Proto().i64(1, 1).msg(2, shape)));
        }

        /** NodeProto{1 input*, 2 output*, 3 name, 4 op_type, 5 attribute*, 7 domain}. */
        static Proto node(String op, String domain, String[] in, String[] outs, Proto... attrs) {
            Proto n = new Proto();
            for (String s : in) {
                n.str(1, s);
            }
            for (String s : outs) {
                n.str(2, s);
            }
            n.str(3, op + "_" + outs[0]).str(4, op);
            for (Proto a : attrs) {
                n.msg(5, a);
            }
            if (domain != null) {
                n.str(7, domain);
            }
            return n;
        }

        /** AttributeProto{1 name, 3 i, 20 type = INT}. */
        static Proto attrInt(String name, long v) {
            return new Proto().str(1, name).i64(3, v).i64(20, 2);
        }

        /** AttributeProto{1 name, 8 ints*, 20 type = INTS}. */
        static Proto attrInts(String name, long... v) {
            Proto a = new Proto().str(1, name);
            for (long x : v) {
                a.i64(8, x);
            }
            return a.i64(20, 7);
        }

        /** TensorProto{2 data_type = FLOAT, 8 name, 9 raw_data}, a 0-d scalar. */
        static Proto scalarFloat(String name, float v) {
            int b = Float.floatToIntBits(v);
            return new Proto().i64(2, 1).str(8, name).bytes(9,
                new byte[] {(byte) b, (byte) (b >>> 8), (byte) (b >>> 16), (byte) (b >>> 24)});
        }

        /** ModelProto{1 ir_version, 2 producer, 7 graph, 8 opset_import{1 domain, 2 version}*}. */
        static byte[] model(Proto graph, long irVersion, Object... opsets) {
            Proto m = new Proto().i64(1, irVersion).str(2, "attune");
            for (int i = 0; i < opsets.length; i += 2) {
                m.msg(8, new Proto().str(1, (String) opsets[i]).i64(2, ((Number) opsets[i + 1]).longValue()));
            }
            return m.msg(7, graph).out.toByteArray();
        }
    }
}
