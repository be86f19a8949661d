package io.vecgrid.dataset;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The ivecs format: per vector, a little-endian int32 dimension followed by that many little-endian int32 values (used
 * for ground truth: one row of neighbour ids per query). All vectors of a file share one dimension.
 *
 * <p>Mirrors {@link Fvecs}: streaming {@link #openReader(Path)} / {@link #openWriter(Path, int)}, bulk
 * {@link #read(Path, int, int)} (contiguous) and {@link #readRows(Path, int, int)} (one array per vector).
 */
public final class Ivecs {
    private Ivecs() {
    }

    /** @return dimension of the file's first vector. */
    public static int dimension(Path file) throws IOException {
        return VecsReader.firstDim(new Reader(file));
    }

    /** @return number of vectors, from the file size; fails on a truncated or inconsistent file. */
    public static long count(Path file) throws IOException {
        return VecsReader.count(new Reader(file));
    }

    /** Reads the first {@code n} vectors of dimension {@code dim} into one contiguous {@code int[n * dim]}. */
    public static int[] read(Path file, int n, int dim) throws IOException {
        if (n < 0)
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        long total = (long)n * dim;
        if (total > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException(n + " vectors of dimension " + dim + " do not fit in one int[]");
        int[] out = new int[(int)total];
        try (Reader r = new Reader(file)) {
            for (int i = 0; i < n; i++) {
                checkHeader(r, i, n, dim);
                r.body(out, i * dim);
            }
        }
        return out;
    }

    /** Reads the first {@code n} vectors of dimension {@code dim}, one array per vector. */
    public static int[][] readRows(Path file, int n, int dim) throws IOException {
        if (n < 0)
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        int[][] out = new int[n][];
        try (Reader r = new Reader(file)) {
            for (int i = 0; i < n; i++) {
                checkHeader(r, i, n, dim);
                out[i] = new int[dim];
                r.body(out[i], 0);
            }
        }
        return out;
    }

    private static void checkHeader(Reader r, int i, int n, int dim) throws IOException {
        int d = r.nextHeader();
        if (d < 0)
            throw new VecsFormatException(r.file, "ivecs has only " + i + " vectors, " + n + " requested");
        if (d != dim)
            throw new VecsFormatException(r.file, "ivecs vector #" + i + " has dimension " + d + ", expected " + dim);
    }

    /** Writes each row as one vector; all rows must have the same length. */
    public static void write(Path file, int[][] rows) throws IOException {
        if (rows.length == 0)
            throw new IllegalArgumentException("no rows to write to " + file);
        try (Writer w = openWriter(file, rows[0].length)) {
            for (int[] row : rows)
                w.write(row);
        }
    }

    /** Writes {@code n} vectors of {@code dim} ints taken contiguously from {@code data}. */
    public static void write(Path file, int[] data, int n, int dim) throws IOException {
        if ((long)n * dim > data.length)
            throw new IllegalArgumentException(n + " vectors of dimension " + dim + " need " + (long)n * dim
                + " ints, array has " + data.length);
        try (Writer w = openWriter(file, dim)) {
            for (int i = 0; i < n; i++)
                w.write(data, i * dim);
        }
    }

    /** Opens a streaming reader. */
    public static Reader openReader(Path file) throws IOException {
        return new Reader(file);
    }

    /** Opens a streaming writer of vectors of dimension {@code dim}, replacing the file. */
    public static Writer openWriter(Path file, int dim) throws IOException {
        return new Writer(file, dim);
    }

    /** Streaming ivecs reader; not thread-safe. */
    public static final class Reader extends VecsReader {
        Reader(Path file) throws IOException {
            super(file);
        }

        @Override String kind() {
            return "ivecs";
        }

        /** @return the next vector, or {@code null} at the end of the file. */
        public int[] next() throws IOException {
            int d = nextHeader();
            if (d < 0)
                return null;
            int[] v = new int[d];
            body(v, 0);
            return v;
        }

        /**
         * Reads the next vector into {@code dst} at {@code off}.
         *
         * @return the vector's dimension, or -1 at the end of the file.
         */
        public int next(int[] dst, int off) throws IOException {
            int d = nextHeader();
            if (d < 0)
                return -1;
            if (off < 0 || off + (long)d > dst.length)
                throw new IllegalArgumentException("vector #" + index + " of dimension " + d
                    + " does not fit in an array of " + dst.length + " at offset " + off);
            body(dst, off);
            return d;
        }

        void body(int[] dst, int off) throws IOException {
            int done = 0;
            while (done < dim) {
                int m = bodyChunk(dim - done, done);
                buf.asIntBuffer().get(dst, off + done, m);
                buf.position(buf.position() + m * 4);
                done += m;
            }
            index++;
        }
    }

    /** Streaming ivecs writer; not thread-safe. */
    public static final class Writer extends VecsWriter {
        Writer(Path file, int dim) throws IOException {
            super(file, dim);
        }

        /** Writes one vector: the whole array, whose length must be the dimension. */
        public void write(int[] v) throws IOException {
            header(v.length);
            body(v, 0);
        }

        /** Writes one vector: {@code dim} ints of {@code data} from {@code off}. */
        public void write(int[] data, int off) throws IOException {
            if (off < 0 || off + (long)dim > data.length)
                throw new IllegalArgumentException("offset " + off + " + dimension " + dim + " exceeds array of "
                    + data.length);
            header(dim);
            body(data, off);
        }

        private void body(int[] data, int off) throws IOException {
            int done = 0;
            while (done < dim) {
                int m = chunk(dim - done);
                buf.asIntBuffer().put(data, off + done, m);
                buf.position(buf.position() + m * 4);
                done += m;
            }
        }
    }
}
