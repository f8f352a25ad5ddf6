package org.attune.api.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

import org.junit.jupiter.api.Test;

/** Reads files NumPy wrote (tools/make_npy_fixtures.py) and round-trips every dtype. */
class NpyTest {
    private static Tensor fixture(String name) throws IOException {
        try (InputStream in = NpyTest.class.getResourceAsStream("/npy/" + name)) {
            return Npy.read(in, name);
        }
    }

    private static Tensor roundTrip(Tensor t) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Npy.write(bytes, t);
        assertEquals(0, (bytes.size() - t.size() * t.dtype().byteSize()) % 64, "the data starts at a multiple of 64 bytes");
        return Npy.read(new ByteArrayInputStream(bytes.toByteArray()), "memory");
    }

    @Test
    void readsEveryNumpyDtype() throws IOException {
        Tensor f4 = fixture("f4.npy");
        assertEquals(DType.FLOAT32, f4.dtype());
        assertArrayEquals(new int[] {2, 3}, f4.shape());
        assertArrayEquals(new float[] {0, 0.25f, 0.5f, 0.75f, 1, 1.25f}, f4.toFloatArray());

        Tensor f8 = fixture("f8.npy");
        assertEquals(DType.FLOAT64, f8.dtype());
        assertEquals(5.0 / 3.0, f8.get(1, 2), 0.0);

        Tensor i8 = fixture("i8.npy");
        assertEquals(DType.INT64, i8.dtype());
        assertArrayEquals(new long[] {-2, -1, 0, 1, 2, 3}, i8.longData());

        Tensor b1 = fixture("b1.npy");
        assertEquals(DType.BOOL, b1.dtype());
        assertArrayEquals(new boolean[] {true, false, true, false, false, true}, b1.booleanData());
    }

    @Test
    void readsScalarsVectorsAndFormat2() throws IOException {
        Tensor s = fixture("scalar.npy");
        assertEquals(0, s.rank());
        assertEquals(2.5, s.getFlat(0), 0.0);
        assertArrayEquals(new int[] {2}, fixture("vector.npy").shape());
        Tensor v2 = fixture("v2.npy");
        assertArrayEquals(new float[] {0, 0.125f, 0.25f, 0.375f, 0.5f, 0.625f}, v2.toFloatArray());
    }

    @Test
    void rejectsWhatItCannotReadWithAClearMessage() {
        InvalidInputException big = assertThrows(InvalidInputException.class, () -> fixture("big_endian.npy"));
        assertTrue(big.getMessage().startsWith("big_endian.npy: unsupported dtype '>f4'"), big.getMessage());
        InvalidInputException fortran = assertThrows(InvalidInputException.class, () -> fixture("fortran.npy"));
        assertTrue(fortran.getMessage().contains("Fortran-order"), fortran.getMessage());
        InvalidInputException i4 = assertThrows(InvalidInputException.class, () -> fixture("int32.npy"));
        assertTrue(i4.getMessage().contains("'<i4'"), i4.getMessage());
        InvalidInputException magic = assertThrows(InvalidInputException.class,
            () -> Npy.read(new ByteArrayInputStream("not numpy".getBytes()), "x.npy"));
        assertEquals("x.npy: not a .npy file (bad magic string)", magic.getMessage());
        assertThrows(InvalidInputException.class, () -> Npy.read(new ByteArrayInputStream(new byte[3]), "short.npy"));
    }

    @Test
    void writesWhatItReadsForEveryDtype() throws IOException {
        for (String name : new String[] {"f4.npy", "f8.npy", "i8.npy", "b1.npy", "scalar.npy", "vector.npy"}) {
            Tensor t = fixture(name);
            assertTrue(t.contentEquals(roundTrip(t)), name);
        }
    }

    @Test
    void writesViewsWithTheirOffset() throws IOException {
        Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
        Tensor row = t.select(1);
        assertArrayEquals(new float[] {3, 4}, roundTrip(row).toFloatArray());
    }
}
