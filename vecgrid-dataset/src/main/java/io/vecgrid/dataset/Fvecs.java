package io.vecgrid.dataset;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The fvecs format (as in the TEXMEX / ann-benchmarks corpora): per vector, a little-endian int32 dimension followed
 * by that many little-endian float32 values. All vectors of a file share one dimension.
 *
 * <p>Streaming: {@link #openReader(Path)} / {@link #openWriter(Path, int)}. Bulk: {@link #read(Path, int, int)} loads
 * the first {@code n} vectors into one contiguous {@code float[n * dim]}. Every error names the file and the vector
 * number ({@link VecsFormatException}).
 */
public final class Fvecs {
    private Fvecs() {
    }

    /** @return dimension of the file's first vector. */
    public static int dimension(Path file) throws IOException {
        return VecsReader.firstDim(new Reader(file));
    }

    /**
     * @return number of vectors, from the file size; fails if the size is not a whole number of records of the first
     *     vector's dimension (a truncated or inconsistent file).
     */
    public static long count(Path file) throws IOException {
        return VecsReader.count(new Reader(file));
    }

    /**
     * Reads the first {@code n} vectors into one contiguous array, row {@code i} at offset {@code i * dim}.
     *
     * @param file fvecs file.
     * @param n number of vectors wanted; the file must hold at least that many.
     * @param dim expected dimension of every vector.
     * @return {@code float[n * dim]}.
     */
    public static float[] read(Path file, int n, int dim) throws IOException {
        if (n < 0)
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        long total = (long)n * dim;
        if (total > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException(n + " vectors of dimension " + dim + " do not fit in one float[]");
        float[] out = new float[(int)total];
        try (Reader r = new Reader(file)) {
            for (int i = 0; i < n; i++) {
                int d = r.nextHeader();
                if (d < 0)
                    throw new VecsFormatException(file, "fvecs has only " + i + " vectors, " + n + " requested");
                if (d != dim)
                    throw new VecsFormatException(file, "fvecs vector #" + i + " has dimension " + d + ", expected "
                        + dim);
                r.body(out, i * dim);
            }
        }
        return out;
    }

    /** Reads every vector of the file; returns {@code float[count * dimension]}. */
    public static float[] readAll(Path file) throws IOException {
        return read(file, Math.toIntExact(count(file)), dimension(file));
    }

    /** Writes {@code n} vectors of {@code dim} floats taken contiguously from {@code data}, replacing the file. */
    public static void write(Path file, float[] data, int n, int dim) throws IOException {
        if ((long)n * dim > data.length)
            throw new IllegalArgumentException(n + " vectors of dimension " + dim + " need " + (long)n * dim
                + " floats, array has " + data.length);
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

    /** Streaming fvecs reader; not thread-safe. */
    public static final class Reader extends VecsReader {
        Reader(Path file) throws IOException {
            super(file);
        }

        @Override String kind() {
            return "fvecs";
        }

        /**
         * Reads the next vector into {@code dst} at {@code off}.
         *
         * @return the vector's dimension, or -1 at the end of the file.
         */
        public int next(float[] dst, int off) throws IOException {
            int d = nextHeader();
            if (d < 0)
                return -1;
            if (off < 0 || off + (long)d > dst.length)
                throw new IllegalArgumentException("vector #" + index + " of dimension " + d
                    + " does not fit in an array of " + dst.length + " at offset " + off);
            body(dst, off);
            return d;
        }

        /** @return the next vector, or {@code null} at the end of the file. */
        public float[] next() throws IOException {
            int d = nextHeader();
            if (d < 0)
                return null;
            float[] v = new float[d];
            body(v, 0);
            return v;
        }

        void body(float[] dst, int off) throws IOException {
            int done = 0;
            while (done < dim) {
                int m = bodyChunk(dim - done, done);
                buf.asFloatBuffer().get(dst, off + done, m);
                buf.position(buf.position() + m * 4);
                done += m;
            }
            index++;
        }
    }

    /** Streaming fvecs writer; not thread-safe. */
    public static final class Writer extends VecsWriter {
        Writer(Path file, int dim) throws IOException {
            super(file, dim);
        }

        /** Writes one vector: the whole array, whose length must be the dimension. */
        public void write(float[] v) throws IOException {
            header(v.length);
            body(v, 0);
        }

        /** Writes one vector: {@code dim} floats of {@code data} from {@code off}. */
        public void write(float[] data, int off) throws IOException {
            if (off < 0 || off + (long)dim > data.length)
                throw new IllegalArgumentException("offset " + off + " + dimension " + dim + " exceeds array of "
                    + data.length);
            header(dim);
            body(data, off);
        }

        private void body(float[] data, int off) throws IOException {
            int done = 0;
            while (done < dim) {
                int m = chunk(dim - done);
                buf.asFloatBuffer().put(data, off + done, m);
                buf.position(buf.position() + m * 4);
                done += m;
            }
        }
    }
}
