package io.vecgrid.index;

import io.vecgrid.api.IndexType;
import io.vecgrid.api.Metric;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The header every serialized index starts with, big-endian ints:
 * <pre>
 * magic 0x56474958 ("VGIX") | format version | type (1 FLAT, 2 HNSW) | metric (1 L2, 2 IP, 3 COSINE) | dim | rows
 * </pre>
 * An HNSW index follows it with {@code M}, {@code efConstruction} and the graph ({@link FrozenGraph#write}).
 * Codes are explicit so that reordering an enum never changes the bytes. Stateless.
 */
final class IndexFormat {
    static final int MAGIC = 0x56474958;
    static final int VERSION = 1;

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

    /** Reads the header and checks that it describes the index the caller expects. */
    static void readHeader(DataInput in, IndexType type, Metric metric, int dim, int rows) throws IOException {
        int magic = in.readInt();
        if (magic != MAGIC)
            throw new IOException("not a vecgrid index: magic 0x" + Integer.toHexString(magic) + ", expected 0x" + Integer.toHexString(MAGIC));
        int version = in.readInt();
        if (version != VERSION)
            throw new IOException("unsupported index format version " + version + ", this build reads " + VERSION);
        int t = in.readInt();
        IndexType storedType = t == 1 ? IndexType.FLAT : t == 2 ? IndexType.HNSW : null;
        if (storedType == null)
            throw new IOException("corrupt index: type code " + t);
        if (storedType != type)
            throw new IOException("index bytes hold a " + storedType + " index, the spec asks for " + type);
        int m = in.readInt();
        Metric storedMetric = m == 1 ? Metric.L2 : m == 2 ? Metric.IP : m == 3 ? Metric.COSINE : null;
        if (storedMetric == null)
            throw new IOException("corrupt index: metric code " + m);
        if (storedMetric != metric)
            throw new IOException("index was built for metric " + storedMetric + ", not " + metric);
        int d = in.readInt();
        if (d != dim)
            throw new IOException("index was built for dimension " + d + ", not " + dim);
        int r = in.readInt();
        if (r != rows)
            throw new IOException("index was built over " + r + " rows, not " + rows);
    }
}
