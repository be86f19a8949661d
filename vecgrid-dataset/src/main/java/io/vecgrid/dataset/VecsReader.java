package io.vecgrid.dataset;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Streaming reader shared by {@link Fvecs} and {@link Ivecs}: each record is a little-endian int32 dimension followed
 * by that many 4-byte little-endian elements. Every record must have the dimension of the first one.
 */
abstract class VecsReader implements Closeable {
    /** Largest dimension accepted; a larger header is taken for a corrupt or foreign file. */
    static final int MAX_DIM = 1 << 24;

    private static final int BUF_BYTES = 1 << 20;

    final Path file;

    private final FileChannel ch;

    final ByteBuffer buf = ByteBuffer.allocateDirect(BUF_BYTES).order(ByteOrder.LITTLE_ENDIAN);

    private boolean eof;

    /** Dimension of the first record, -1 before it is read. */
    int dim = -1;

    /** Number of records fully read so far (so the index of the next record). */
    long index;

    VecsReader(Path file) throws IOException {
        this.file = file;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        }
        catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "vector file does not exist");
        }
        buf.flip();
    }

    /** Short name of the format for messages. */
    abstract String kind();

    /**
     * Fills the buffer until at least {@code bytes} (at most the buffer size) are available or the file ends.
     *
     * @return {@code true} if that many bytes are available.
     */
    private boolean fill(int bytes) throws IOException {
        if (buf.remaining() >= bytes)
            return true;
        buf.compact();
        try {
            while (buf.position() < bytes && !eof) {
                if (ch.read(buf) < 0)
                    eof = true;
            }
        }
        finally {
            buf.flip();
        }
        return buf.remaining() >= bytes;
    }

    /**
     * Reads the next record's header.
     *
     * @return the record's dimension, or -1 at a clean end of file.
     * @throws VecsFormatException if the header is cut short, invalid, or differs from the first record's dimension.
     */
    final int nextHeader() throws IOException {
        if (!fill(4)) {
            if (buf.remaining() == 0)
                return -1;
            throw new VecsFormatException(file, kind() + " truncated: vector #" + index + " has only "
                + buf.remaining() + " of the 4 header bytes");
        }
        int d = buf.getInt();
        if (d <= 0 || d > MAX_DIM)
            throw new VecsFormatException(file, kind() + " corrupt: vector #" + index + " declares dimension " + d
                + " (must be 1.." + MAX_DIM + ")");
        if (dim < 0)
            dim = d;
        else if (d != dim)
            throw new VecsFormatException(file, kind() + " inconsistent: vector #" + index + " has dimension " + d
                + " but vector #0 has dimension " + dim);
        return d;
    }

    /**
     * Makes the next {@code elems} body elements of the current record available, at most what the buffer holds.
     *
     * @param done elements of this record already consumed (for the message).
     * @return number of elements now available in {@link #buf} (≥ 1, ≤ elems).
     */
    final int bodyChunk(int elems, int done) throws IOException {
        int want = Math.min(elems, BUF_BYTES / 4);
        if (!fill(want * 4)) {
            int have = buf.remaining() / 4;
            if (have == 0)
                throw new VecsFormatException(file, kind() + " truncated: vector #" + index + " (dimension " + dim
                    + ") ends after " + (done + have) + " of its " + dim + " elements");
            return have;
        }
        return want;
    }

    /** Reads the dimension of the first record of a file. */
    static int firstDim(VecsReader r) throws IOException {
        try (r) {
            int d = r.nextHeader();
            if (d < 0)
                throw new VecsFormatException(r.file, r.kind() + " file is empty");
            return d;
        }
    }

    /** Number of records, from the file size and the first record's dimension; checks the size fits exactly. */
    static long count(VecsReader r) throws IOException {
        int d = firstDim(r);
        long size = Files.size(r.file);
        long rec = 4L + 4L * d;
        if (size % rec != 0)
            throw new VecsFormatException(r.file, r.kind() + " truncated or inconsistent: size " + size
                + " bytes is not a multiple of the record size " + rec + " (dimension " + d + "); last complete vector is #"
                + (size / rec - 1));
        return size / rec;
    }

    /** @return dimension of the records (of the first one), or -1 before any was read. */
    public int dim() {
        return dim;
    }

    /** @return index of the next record, i.e. the number of records read so far. */
    public long index() {
        return index;
    }

    /** @return the file read. */
    public Path file() {
        return file;
    }

    @Override public void close() throws IOException {
        ch.close();
    }
}
