package io.vecgrid.index;

import io.vecgrid.api.IndexType;
import io.vecgrid.api.Metric;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The header every serialized index starts with, big-endian ints:
 * <pre>
 * magic 0x56474958 ("VGIX") | format version | type (1 FLAT, 2 HNSW) | metric (1 L2, 2 IP, 3 COSINE) | dim | rows
 * </pre>
 * An HNSW index follows it with {@code M}, {@code efConstruction} (big-endian) and the graph ({@link FrozenGraph#write}:
 * its byte length, big-endian, then the graph region of little-endian ints, which a reader views in place). The
 * region thus starts at byte {@value #HNSW_GRAPH_REGION_AT} of the index bytes: 4-byte aligned when they are.
 * Codes are explicit so that reordering an enum never changes the bytes. Stateless.
 *
 * <p>Versions: 1 wrote the graph as big-endian int arrays to be copied onto the heap (still read, onto the heap:
 * {@link FrozenGraph#readVersion1}); 2 (this build) writes the little-endian region that is read in place.
 */
final class IndexFormat {
    static final int MAGIC = 0x56474958;
    static final int VERSION = 2;
    /** The previous version, still read (onto the heap) so that indexes already persisted stay loadable. */
    static final int VERSION_1 = 1;
    /** Bytes of the header. */
    static final int HEADER_BYTES = 24;
    /** Where an HNSW index's graph region starts: header, M, efConstruction, the region's length. */
    static final int HNSW_GRAPH_REGION_AT = HEADER_BYTES + 12;

    private IndexFormat() {
    }

    static void writeHeader(DataOutput out, IndexType type, Metric metric, int dim, int rows) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(VERSION);
        out.writeInt(type == IndexType.FLAT ? 1 : 2);
        out.writeInt(metric == Metric.L2 ? 1 : metric == Metric.IP ? 2 : 3);
        out.writeInt(dim);
        out.writeInt(rows);
    }

    /**
     * Reads the header and checks that it describes the index the caller expects.
     *
     * @return the format version ({@link #VERSION} or {@link #VERSION_1}).
     */
    static int readHeader(DataInput in, IndexType type, Metric metric, int dim, int rows) throws IOException {
        int magic = in.readInt();
        if (magic != MAGIC)
            throw new IOException("not a vecgrid index: magic 0x" + Integer.toHexString(magic) + ", expected 0x" + Integer.toHexString(MAGIC));
        int version = in.readInt();
        checkVersion(version);
        checkHeader(in.readInt(), in.readInt(), in.readInt(), in.readInt(), type, metric, dim, rows);
        return version;
    }

    private static void checkVersion(int version) throws IOException {
        if (version != VERSION && version != VERSION_1)
            throw new IOException("unsupported index format version " + version + ", this build reads " + VERSION_1 + " and " + VERSION);
    }

    /**
     * Reads the header at {@code in}'s position (without moving it) and checks it as {@link #readHeader(DataInput,
     * IndexType, Metric, int, int)} does.
     *
     * @return the format version.
     */
    static int readHeader(ByteBuffer in, IndexType type, Metric metric, int dim, int rows) throws IOException {
        ByteBuffer b = in.duplicate().order(ByteOrder.BIG_ENDIAN);
        if (b.remaining() >= 4 && b.getInt(b.position()) != MAGIC) {
            int magic = b.getInt(b.position());
            throw new IOException("not a vecgrid index: magic 0x" + Integer.toHexString(magic) + ", expected 0x" + Integer.toHexString(MAGIC));
        }
        if (b.remaining() < HEADER_BYTES)
            throw new IOException("truncated index: " + b.remaining() + " bytes, the header alone is " + HEADER_BYTES);
        int p = b.position();
        int version = b.getInt(p + 4);
        checkVersion(version);
        checkHeader(b.getInt(p + 8), b.getInt(p + 12), b.getInt(p + 16), b.getInt(p + 20), type, metric, dim, rows);
        return version;
    }

    private static void checkHeader(int t, int m, int d, int r, IndexType type, Metric metric, int dim, int rows) throws IOException {
        IndexType storedType = t == 1 ? IndexType.FLAT : t == 2 ? IndexType.HNSW : null;
        if (storedType == null)
            throw new IOException("corrupt index: type code " + t);
        if (storedType != type)
            throw new IOException("index bytes hold a " + storedType + " index, the spec asks for " + type);
        Metric storedMetric = m == 1 ? Metric.L2 : m == 2 ? Metric.IP : m == 3 ? Metric.COSINE : null;
        if (storedMetric == null)
            throw new IOException("corrupt index: metric code " + m);
        if (storedMetric != metric)
            throw new IOException("index was built for metric " + storedMetric + ", not " + metric);
        if (d != dim)
            throw new IOException("index was built for dimension " + d + ", not " + dim);
        if (r != rows)
            throw new IOException("index was built over " + r + " rows, not " + rows);
    }
}
