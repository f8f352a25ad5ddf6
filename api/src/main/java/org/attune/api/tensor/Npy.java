package org.attune.api.tensor;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy {@code .npy} files, format versions 1.0, 2.0 and 3.0, C order, little-endian.
 *
 * <p>Readable dtypes: {@code <f4}, {@code <f8}, {@code <i8}, {@code |b1} (and {@code <b1}/{@code =b1}, which NumPy
 * never writes but means the same). Anything else—big-endian data, Fortran order, other types, object
 * arrays—is rejected with a message naming the file and the offending field. Writing uses format 1.0 when
 * the header fits in 65535 bytes and 2.0 otherwise, as NumPy does.
 *
 * <p>Layout: magic {@code \x93NUMPY}, major, minor, header length (uint16 LE in 1.0, uint32 LE in 2.0/3.0),
 * then an ASCII (UTF-8 in 3.0) Python dict literal {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }}
 * padded with spaces and a newline so that the data starts at a multiple of 64 bytes.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    /** Reads a {@code .npy} file. */
    public static Tensor read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    /**
     * Reads one array from a stream.
     *
     * @param source names the data in error messages (e.g. the file name)
     */
    public static Tensor read(InputStream stream, String source) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(stream, 1 << 16));
        byte[] magic = new byte[6];
        readFully(in, magic, source);
        for (int i = 0; i < 6; i++) {
            if (magic[i] != MAGIC[i]) {
                throw new InvalidInputException(source, "not a .npy file (bad magic string)");
            }
        }
        int major = in.readUnsignedByte();
        int minor = in.readUnsignedByte();
        long headerLen;
        if (major == 1) {
            headerLen = Short.toUnsignedInt(Short.reverseBytes(in.readShort()));
        } else if (major == 2 || major == 3) {
            headerLen = Integer.toUnsignedLong(Integer.reverseBytes(in.readInt()));
        } else {
            throw new InvalidInputException(source, "unsupported .npy format version " + major + "." + minor
                + " (expected 1.0, 2.0 or 3.0)");
        }
        if (headerLen > (1 << 24)) {
            throw new InvalidInputException(source, ".npy header of " + headerLen + " bytes is too large");
        }
        byte[] hb = new byte[(int) headerLen];
        readFully(in, hb, source);
        String header = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);

        String descr = field(DESCR, header, "descr", source);
        DType dtype = switch (descr) {
            case "<f4" -> DType.FLOAT32;
            case "<f8" -> DType.FLOAT64;
            case "<i8" -> DType.INT64;
            case "|b1", "<b1", "=b1" -> DType.BOOL;
            default -> throw new InvalidInputException(source, "unsupported dtype '" + descr
                + "' (expected <f4, <f8, <i8 or |b1; big-endian data must be converted with .astype('<f4') etc.)");
        };
        if ("True".equals(field(FORTRAN, header, "fortran_order", source))) {
            throw new InvalidInputException(source, "Fortran-order arrays are not supported (save with np.ascontiguousarray)");
        }
        int[] shape = parseShape(field(SHAPE, header, "shape", source), source);
        Tensor t = Tensor.zeros(dtype, shape);
        int n = t.size();
        byte[] buf = new byte[1 << 16];
        int elem = dtype.byteSize();
        int done = 0;
        while (done < n) {
            int count = Math.min(n - done, buf.length / elem);
            readFully(in, buf, count * elem, source);
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, count * elem).order(ByteOrder.LITTLE_ENDIAN);
            switch (dtype) {
                case FLOAT32 -> bb.asFloatBuffer().get(t.floatData(), done, count);
                case FLOAT64 -> bb.asDoubleBuffer().get(t.doubleData(), done, count);
                case INT64 -> bb.asLongBuffer().get(t.longData(), done, count);
                case BOOL -> {
                    boolean[] b = t.booleanData();
                    for (int i = 0; i < count; i++) {
                        b[done + i] = buf[i] != 0;
                    }
                }
            }
            done += count;
        }
        return t;
    }

    private static String field(Pattern p, String header, String name, String source) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new InvalidInputException(source, ".npy header lacks a valid '" + name + "' field: " + header.strip());
        }
        return m.group(1);
    }

    private static int[] parseShape(String s, String source) {
        List<Integer> dims = new ArrayList<>();
        for (String part : s.split(",")) {
            String p = part.strip();
            if (p.endsWith("L")) {
                p = p.substring(0, p.length() - 1);
            }
            if (p.isEmpty()) {
                continue;
            }
            try {
                dims.add(Integer.parseInt(p));
            } catch (NumberFormatException e) {
                throw new InvalidInputException(source, "bad .npy shape (" + s + ")");
            }
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void readFully(DataInputStream in, byte[] b, String source) throws IOException {
        readFully(in, b, b.length, source);
    }

    private static void readFully(DataInputStream in, byte[] b, int len, String source) throws IOException {
        try {
            in.readFully(b, 0, len);
        } catch (EOFException e) {
            throw new InvalidInputException(source, ".npy file is truncated");
        }
    }

    /** Writes a tensor as a {@code .npy} file in its own dtype. */
    public static void write(Path file, Tensor t) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            write(out, t);
        }
    }

    /** Writes a tensor to a stream in its own dtype; the stream is flushed, not closed. */
    public static void write(OutputStream stream, Tensor t) throws IOException {
        StringBuilder shape = new StringBuilder("(");
        int[] s = t.shape();
        for (int i = 0; i < s.length; i++) {
            shape.append(s[i]).append(s.length == 1 ? "," : (i + 1 < s.length ? ", " : ""));
        }
        shape.append(')');
        String dict = "{'descr': '" + t.dtype().npyDescr() + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int major = 1;
        int prefix = 10;
        int total = prefix + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        if (major == 1 && header.length() > 65535) {
            major = 2;
            prefix = 12;
            total = prefix + dict.length() + 1;
            pad = (64 - total % 64) % 64;
            header = dict + " ".repeat(pad) + "\n";
        }
        OutputStream out = new BufferedOutputStream(stream, 1 << 16);
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        head.write(MAGIC);
        head.write(major);
        head.write(0);
        int hl = header.length();
        if (major == 1) {
            head.write(hl & 0xff);
            head.write((hl >>> 8) & 0xff);
        } else {
            for (int i = 0; i < 4; i++) {
                head.write((hl >>> (8 * i)) & 0xff);
            }
        }
        head.write(header.getBytes(StandardCharsets.ISO_8859_1));
        head.writeTo(out);
        int n = t.size();
        int elem = t.dtype().byteSize();
        byte[] buf = new byte[1 << 16];
        int done = 0;
        while (done < n) {
            int count = Math.min(n - done, buf.length / elem);
            ByteBuffer bb = ByteBuffer.wrap(buf, 0, count * elem).order(ByteOrder.LITTLE_ENDIAN);
            switch (t.dtype()) {
                case FLOAT32 -> bb.asFloatBuffer().put(t.floatData(), t.offset() + done, count);
                case FLOAT64 -> bb.asDoubleBuffer().put(t.doubleData(), t.offset() + done, count);
                case INT64 -> bb.asLongBuffer().put(t.longData(), t.offset() + done, count);
                case BOOL -> {
                    boolean[] b = t.booleanData();
                    for (int i = 0; i < count; i++) {
                        buf[i] = (byte) (b[t.offset() + done + i] ? 1 : 0);
                    }
                }
            }
            out.write(buf, 0, count * elem);
            done += count;
        }
        out.flush();
    }
}
