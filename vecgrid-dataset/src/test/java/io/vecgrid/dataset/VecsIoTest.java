package io.vecgrid.dataset;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** fvecs/ivecs round trips and the errors on truncated or inconsistent files (small files in a temp dir). */
class VecsIoTest {
    @TempDir
    Path tmp;

    /** Deterministic test pattern (file-format tests only; recall tests use real data). */
    private static float[] pattern(int n, int dim) {
        float[] a = new float[n * dim];
        for (int i = 0; i < a.length; i++)
            a[i] = (i % 97) * 0.25f - 7.5f + (i / 97) * 1e-3f;
        return a;
    }

    @Test
    void fvecsRoundTripBulkAndStreaming() throws IOException {
        int n = 37;
        int dim = 13;
        float[] data = pattern(n, dim);
        data[5] = Float.NaN;
        data[6] = Float.NEGATIVE_INFINITY;
        data[7] = -0.0f;
        Path f = tmp.resolve("a.fvecs");
        Fvecs.write(f, data, n, dim);

        assertEquals((long)n * (4 + 4 * dim), Files.size(f));
        ByteBuffer raw = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(dim, raw.getInt(0), "header is little-endian int32 dim");
        assertEquals(data[0], raw.getFloat(4));

        assertEquals(dim, Fvecs.dimension(f));
        assertEquals(n, Fvecs.count(f));
        float[] all = Fvecs.readAll(f);
        assertEquals(data.length, all.length);
        for (int i = 0; i < data.length; i++)
            assertEquals(Float.floatToRawIntBits(data[i]), Float.floatToRawIntBits(all[i]), "element " + i);
        assertArrayEquals(Arrays.copyOf(data, 10 * dim), Fvecs.read(f, 10, dim));
        assertEquals(0, Fvecs.read(f, 0, dim).length);

        try (Fvecs.Reader r = Fvecs.openReader(f)) {
            float[] row = new float[dim + 3];
            for (int i = 0; i < n; i++) {
                assertEquals(i, r.index());
                assertEquals(dim, r.next(row, 3));
                assertArrayEquals(Arrays.copyOfRange(data, i * dim, (i + 1) * dim), Arrays.copyOfRange(row, 3, dim + 3));
            }
            assertEquals(-1, r.next(row, 0));
            assertNull(r.next());
            assertEquals(dim, r.dim());
        }
    }

    @Test
    void fvecsStreamingWriterAndVectorsLargerThanBuffer() throws IOException {
        int dim = 300_000; // 1.2 MB per vector: larger than the 1 MB IO buffer
        float[] data = pattern(3, dim);
        Path f = tmp.resolve("big.fvecs");
        try (Fvecs.Writer w = Fvecs.openWriter(f, dim)) {
            w.write(Arrays.copyOfRange(data, 0, dim));
            w.write(data, dim);
            w.write(data, 2 * dim);
            assertEquals(3, w.count());
        }
        assertArrayEquals(data, Fvecs.read(f, 3, dim));
        try (Fvecs.Reader r = Fvecs.openReader(f)) {
            assertArrayEquals(Arrays.copyOfRange(data, 0, dim), r.next());
        }
    }

    @Test
    void ivecsRoundTrip() throws IOException {
        int[][] rows = new int[25][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new int[100];
            for (int j = 0; j < 100; j++)
                rows[i][j] = i * 1000 + j - (j % 3 == 0 ? 2_000_000_000 : 0);
        }
        Path f = tmp.resolve("gt.ivecs");
        Ivecs.write(f, rows);
        assertEquals(100, Ivecs.dimension(f));
        assertEquals(25, Ivecs.count(f));
        int[][] back = Ivecs.readRows(f, 25, 100);
        for (int i = 0; i < rows.length; i++)
            assertArrayEquals(rows[i], back[i]);
        int[] flat = Ivecs.read(f, 2, 100);
        assertArrayEquals(rows[1], Arrays.copyOfRange(flat, 100, 200));
        try (Ivecs.Reader r = Ivecs.openReader(f)) {
            int n = 0;
            while (r.next() != null)
                n++;
            assertEquals(25, n);
        }
        Path g = tmp.resolve("flat.ivecs");
        Ivecs.write(g, flat, 2, 100);
        assertArrayEquals(flat, Ivecs.read(g, 2, 100));
    }

    @Test
    void truncatedBodyNamesFileAndVector() throws IOException {
        Path f = tmp.resolve("t.fvecs");
        Fvecs.write(f, pattern(5, 8), 5, 8);
        truncate(f, Files.size(f) - 6);
        VecsFormatException e = assertThrows(VecsFormatException.class, () -> Fvecs.read(f, 5, 8));
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("vector #4"), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertEquals(f, e.file());
        // The complete prefix is still readable.
        assertEquals(4 * 8, Fvecs.read(f, 4, 8).length);
        VecsFormatException c = assertThrows(VecsFormatException.class, () -> Fvecs.count(f));
        assertTrue(c.getMessage().contains("not a multiple"), c.getMessage());
    }

    @Test
    void truncatedHeader() throws IOException {
        Path f = tmp.resolve("h.ivecs");
        Ivecs.write(f, new int[][] {{1, 2, 3}, {4, 5, 6}});
        Files.write(f, new byte[] {3, 0}, java.nio.file.StandardOpenOption.APPEND);
        VecsFormatException e = assertThrows(VecsFormatException.class, () -> {
            try (Ivecs.Reader r = Ivecs.openReader(f)) {
                while (r.next() != null) {
                    // drain
                }
            }
        });
        assertTrue(e.getMessage().contains("vector #2") && e.getMessage().contains("header"), e.getMessage());
    }

    @Test
    void inconsistentDimension() throws IOException {
        Path a = tmp.resolve("a.fvecs");
        Path b = tmp.resolve("b.fvecs");
        Fvecs.write(a, pattern(3, 4), 3, 4);
        Fvecs.write(b, pattern(2, 6), 2, 6);
        Path f = tmp.resolve("mixed.fvecs");
        Files.write(f, concat(Files.readAllBytes(a), Files.readAllBytes(b)));
        VecsFormatException e = assertThrows(VecsFormatException.class, () -> {
            try (Fvecs.Reader r = Fvecs.openReader(f)) {
                while (r.next() != null) {
                    // drain
                }
            }
        });
        assertTrue(e.getMessage().contains("inconsistent") && e.getMessage().contains("vector #3")
            && e.getMessage().contains("dimension 6"), e.getMessage());
        // Bulk read with the expected dimension fails on the same vector.
        VecsFormatException e2 = assertThrows(VecsFormatException.class, () -> Fvecs.read(f, 5, 4));
        assertTrue(e2.getMessage().contains("vector #3"), e2.getMessage());
    }

    @Test
    void wrongExpectedDimensionTooFewVectorsEmptyAndCorruptFiles() throws IOException {
        Path f = tmp.resolve("x.fvecs");
        Fvecs.write(f, pattern(3, 4), 3, 4);
        VecsFormatException dim = assertThrows(VecsFormatException.class, () -> Fvecs.read(f, 1, 5));
        assertTrue(dim.getMessage().contains("vector #0 has dimension 4, expected 5"), dim.getMessage());
        VecsFormatException few = assertThrows(VecsFormatException.class, () -> Fvecs.read(f, 4, 4));
        assertTrue(few.getMessage().contains("only 3 vectors, 4 requested"), few.getMessage());

        Path empty = tmp.resolve("empty.fvecs");
        Files.write(empty, new byte[0]);
        assertThrows(VecsFormatException.class, () -> Fvecs.dimension(empty));
        assertEquals(0, Fvecs.read(empty, 0, 4).length);

        Path neg = tmp.resolve("neg.ivecs");
        Files.write(neg, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(-7).putInt(1).array());
        VecsFormatException c = assertThrows(VecsFormatException.class, () -> Ivecs.readRows(neg, 1, 1));
        assertTrue(c.getMessage().contains("declares dimension -7"), c.getMessage());

        assertThrows(NoSuchFileException.class, () -> Fvecs.read(tmp.resolve("missing.fvecs"), 1, 4));
    }

    @Test
    void writerRejectsWrongLength() throws IOException {
        Path f = tmp.resolve("w.fvecs");
        try (Fvecs.Writer w = Fvecs.openWriter(f, 4)) {
            assertThrows(IllegalArgumentException.class, () -> w.write(new float[3]));
            assertThrows(IllegalArgumentException.class, () -> w.write(new float[6], 3));
            w.write(new float[] {1, 2, 3, 4});
        }
        assertEquals(1, Fvecs.count(f));
        assertThrows(IllegalArgumentException.class, () -> Fvecs.openWriter(tmp.resolve("z.fvecs"), 0));
        assertThrows(IllegalArgumentException.class, () -> Fvecs.write(tmp.resolve("y.fvecs"), new float[7], 2, 4));
    }

    private static void truncate(Path f, long size) throws IOException {
        try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
