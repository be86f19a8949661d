package io.vecgrid.dataset;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reader of the IDX format of (Fashion-)MNIST image files, plain or gzip-compressed ({@code *-idx3-ubyte[.gz]}):
 * big-endian magic {@code 0x00000803} (unsigned bytes, 3 dimensions), then the count, rows and columns as big-endian
 * int32, then {@code count * rows * cols} unsigned bytes, one image after the other, row-major.
 *
 * <p>Pixels become floats with their raw values 0..255, as in ann-benchmarks' {@code fashion-mnist-784-euclidean}.
 */
public final class IdxReader {
    /** Magic of an IDX file of unsigned bytes with 3 dimensions. */
    public static final int MAGIC_UBYTE_3D = 0x00000803;

    private IdxReader() {
    }

    /** Images of an IDX file as one contiguous array of {@code count * rows * cols} floats. */
    public static final class Images {
        private final int count;

        private final int rows;

        private final int cols;

        private final float[] data;

        Images(int count, int rows, int cols, float[] data) {
            this.count = count;
            this.rows = rows;
            this.cols = cols;
            this.data = data;
        }

        /** @return number of images. */
        public int count() {
            return count;
        }

        /** @return rows per image. */
        public int rows() {
            return rows;
        }

        /** @return columns per image. */
        public int cols() {
            return cols;
        }

        /** @return dimension of one image as a vector: rows * cols. */
        public int dim() {
            return rows * cols;
        }

        /** @return pixel values, image {@code i} at offset {@code i * dim()}. */
        public float[] data() {
            return data;
        }
    }

    /**
     * Reads at most {@code max} images (all when {@code max < 0}) from an IDX3 ubyte file, gzip-compressed or not (told
     * by the gzip magic, not the name).
     */
    public static Images readImages(Path file, int max) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            InputStream in = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw;
            DataInputStream din = new DataInputStream(new BufferedInputStream(in, 1 << 16));
            int magic;
            int count;
            int rows;
            int cols;
            try {
                magic = din.readInt();
                if (magic != MAGIC_UBYTE_3D)
                    throw new VecsFormatException(file, String.format("not an IDX3 unsigned-byte image file: magic "
                        + "0x%08x, expected 0x%08x", magic, MAGIC_UBYTE_3D));
                count = din.readInt();
                rows = din.readInt();
                cols = din.readInt();
            }
            catch (EOFException e) {
                throw new VecsFormatException(file, "IDX truncated: header cut short");
            }
            if (count < 0 || rows <= 0 || cols <= 0 || (long)rows * cols > VecsReader.MAX_DIM)
                throw new VecsFormatException(file, "IDX corrupt header: count " + count + ", rows " + rows + ", cols "
                    + cols);
            int n = max < 0 ? count : Math.min(max, count);
            int dim = rows * cols;
            if ((long)n * dim > Integer.MAX_VALUE - 8)
                throw new IllegalArgumentException(file + ": " + n + " images of " + dim + " pixels do not fit in one array");
            float[] data = new float[n * dim];
            byte[] img = new byte[dim];
            for (int i = 0; i < n; i++) {
                try {
                    din.readFully(img);
                }
                catch (EOFException e) {
                    throw new VecsFormatException(file, "IDX truncated: image #" + i + " of " + count
                        + " declared is cut short");
                }
                int off = i * dim;
                for (int j = 0; j < dim; j++)
                    data[off + j] = img[j] & 0xff;
            }
            return new Images(n, rows, cols, data);
        }
    }
}
