package io.vecgrid.index;

import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.NodesIterator;
import io.github.jbellis.jvector.graph.similarity.ScoreFunction;
import io.github.jbellis.jvector.util.Bits;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * An HNSW graph frozen into one little-endian byte region, searched in place by {@link GraphWalk} (and by jvector's
 * {@code GraphSearcher} through {@link ImmutableGraphIndex}). Immutable: any number of threads may search it at once.
 *
 * <p>Layout of the region, every field a little-endian int32, {@code L} levels, positions relative to the region's
 * start (this is also exactly what {@link #write} writes after its length prefix):
 * <pre>
 * levels L | entry node (-1: empty) | rows
 * maxDegree[0..L)                      bound on every stored degree of the level
 * (count_l, edges_l) for l in [0, L)   nodes on level l (count_0 = rows) and adjacency entries
 * for l in [0, L):
 *   nodes_l[count_l]                   l &gt; 0 only: ascending node ids (level 0 holds every node, position = node)
 *   offsets_l[count_l + 1]             CSR: node at position p has neighbours adj_l[offsets_l[p] .. offsets_l[p+1])
 *   adj_l[edges_l]                     neighbour ids, in the order the builder left them
 * </pre>
 * An upper level finds a node's position by binary search in {@code nodes_l} (upper levels are small and visited a
 * few times per query). Nothing needs alignment (reads are absolute {@link ByteBuffer#getInt}), but a region that
 * starts at a multiple of 4 keeps every int within one cache line.
 *
 * <p>A built graph ({@link #fromArrays}, from {@link GraphBuilder}) is serialized into a heap buffer of this layout, and a loaded one is a view of
 * the caller's bytes ({@link #view}: a direct buffer stays off the heap, nothing is copied), so a built index and the
 * same index loaded back are one class over equal bytes and answer identically. What this object holds on the heap is
 * a few per-level ints.
 */
final class FrozenGraph implements ImmutableGraphIndex {
    /** Bound on a stored degree, far above any (2 * M * overflow) the builder makes; guards reads. */
    private static final int MAX_DEGREE = 1 << 16;
    private static final int MAX_LEVELS = 64;

    private final int dim;
    private final int rows;
    /** The region, little-endian, index 0 = its first byte; never moved (all reads absolute). */
    private final ByteBuffer g;
    private final int entryNode;
    private final int[] maxDegrees;
    private final int[] counts;
    private final long[] edges;
    /** Byte positions in {@link #g} per level: node list (-1 on level 0), CSR offsets, adjacency. */
    private final int[] nodesAt;
    private final int[] offsetsAt;
    private final int[] adjAt;
    private final NodeAtLevel entry;

    private FrozenGraph(int dim, int rows, ByteBuffer g, int entryNode, int[] maxDegrees, int[] counts, long[] edges, int[] nodesAt,
        int[] offsetsAt, int[] adjAt) {
        this.dim = dim;
        this.rows = rows;
        this.g = g;
        this.entryNode = entryNode;
        this.maxDegrees = maxDegrees;
        this.counts = counts;
        this.edges = edges;
        this.nodesAt = nodesAt;
        this.offsetsAt = offsetsAt;
        this.adjAt = adjAt;
        this.entry = rows == 0 ? null : new NodeAtLevel(counts.length - 1, entryNode);
    }

    /** @return an empty graph (no rows). */
    static FrozenGraph empty(int dim) {
        return fromArrays(dim, 0, new int[][] {null}, new int[][] {{0}}, new int[][] {{}}, new int[] {0}, -1);
    }

    /** Lays arrays out in a heap region of the serialized layout and views it. */
    static FrozenGraph fromArrays(int dim, int rows, int[][] nodes, int[][] offsets, int[][] adj, int[] maxDegrees, int entryNode) {
        try {
            return view(lay(rows, nodes, offsets, adj, maxDegrees, entryNode), rows, dim);
        }
        catch (IOException e) {
            throw new IllegalStateException("built graph fails its own checks", e);
        }
    }

    /** @return a heap region of the serialized layout holding the arrays (not checked; {@link #view} checks). */
    private static ByteBuffer lay(int rows, int[][] nodes, int[][] offsets, int[][] adj, int[] maxDegrees, int entryNode) {
        int levels = offsets.length;
        long ints = 3 + 3L * levels;
        for (int l = 0; l < levels; l++)
            ints += (l == 0 ? 0 : nodes[l].length) + offsets[l].length + adj[l].length;
        if (4 * ints > Integer.MAX_VALUE)
            throw new IllegalStateException("graph of " + ints + " ints does not fit one buffer");
        ByteBuffer b = ByteBuffer.allocate((int)(4 * ints)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(levels).putInt(entryNode).putInt(rows);
        for (int d : maxDegrees)
            b.putInt(d);
        for (int l = 0; l < levels; l++)
            b.putInt(offsets[l].length - 1).putInt(adj[l].length);
        for (int l = 0; l < levels; l++) {
            if (l > 0)
                b.asIntBuffer().put(nodes[l]);
            b.position(b.position() + 4 * (l == 0 ? 0 : nodes[l].length));
            b.asIntBuffer().put(offsets[l]);
            b.position(b.position() + 4 * offsets[l].length);
            b.asIntBuffer().put(adj[l]);
            b.position(b.position() + 4 * adj[l].length);
        }
        assert !b.hasRemaining();
        return b.clear();
    }

    /**
     * Writes the region's length in bytes ({@code writeInt}, big-endian like every {@link DataOutput} int) and the
     * region itself; {@link #read} and {@link #view} are the readers.
     */
    void write(DataOutput out) throws IOException {
        int n = g.limit();
        out.writeInt(n);
        if (g.hasArray()) {
            out.write(g.array(), g.arrayOffset(), n);
            return;
        }
        byte[] chunk = new byte[Math.min(n, 64 * 1024)];
        ByteBuffer src = g.duplicate().clear();
        while (src.hasRemaining()) {
            int c = Math.min(chunk.length, src.remaining());
            src.get(chunk, 0, c);
            out.write(chunk, 0, c);
        }
    }

    /** @return bytes {@link #write} writes: the length prefix and the region. */
    long serializedBytes() {
        return 4L + g.limit();
    }

    /** Reads a graph written by {@link #write} onto the heap (the stream form of {@link #view}). */
    static FrozenGraph read(DataInput in, int rows, int dim) throws IOException {
        int n = in.readInt();
        if (n < 12 || n % 4 != 0)
            throw new IOException("corrupt HNSW index: graph of " + n + " bytes");
        byte[] bytes = new byte[n];
        in.readFully(bytes);
        return view(ByteBuffer.wrap(bytes), rows, dim);
    }

    /**
     * Reads a graph in format version 1 (big-endian: levels, entry node, maxDegree[levels], then per level count,
     * node ids above level 0, CSR offsets, edge count, neighbour ids) into the current layout on the heap. Bounds are
     * checked by {@link #view} once the arrays are laid out.
     */
    static FrozenGraph readVersion1(DataInput in, int rows, int dim) throws IOException {
        int levels = in.readInt();
        int entryNode = in.readInt();
        if (levels < 1 || levels > MAX_LEVELS)
            throw new IOException("corrupt HNSW index: " + levels + " levels");
        int[] maxDegrees = readInts(in, levels);
        int[][] nodes = new int[levels][];
        int[][] offsets = new int[levels][];
        int[][] adj = new int[levels][];
        for (int l = 0; l < levels; l++) {
            int count = in.readInt();
            if (l == 0 ? count != rows : count < 1 || count > rows)
                throw new IOException("corrupt HNSW index: level " + l + " holds " + count + " nodes of " + rows);
            if (l > 0)
                nodes[l] = readInts(in, count);
            offsets[l] = readInts(in, count + 1);
            int edges = in.readInt();
            if (edges < 0 || edges > (long)count * MAX_DEGREE)
                throw new IOException("corrupt HNSW index: level " + l + " has " + edges + " edges");
            adj[l] = readInts(in, edges);
        }
        ByteBuffer b = lay(rows, nodes, offsets, adj, maxDegrees, entryNode);
        return view(b, rows, dim);
    }

    private static int[] readInts(DataInput in, int n) throws IOException {
        byte[] bytes = new byte[4 * n];
        in.readFully(bytes);
        int[] a = new int[n];
        ByteBuffer.wrap(bytes).asIntBuffer().get(a);
        return a;
    }

    /** Reads the length prefix {@link #write} wrote at {@code in}'s position and views the region after it in place. */
    static FrozenGraph view(ByteBuffer in, int rows, int dim, ByteOrder prefixOrder) throws IOException {
        ByteBuffer b = in.duplicate().order(prefixOrder);
        if (b.remaining() < 4)
            throw new IOException("corrupt HNSW index: truncated before the graph length");
        int n = b.getInt();
        if (n < 12 || n % 4 != 0 || n > b.remaining())
            throw new IOException("corrupt HNSW index: graph of " + n + " bytes, " + b.remaining() + " left in the input");
        return view(b.slice().limit(n).slice(), rows, dim);
    }

    /**
     * Views a region of the serialized layout in place ({@code region}'s position to limit; its position, limit and
     * order are left alone), checking every bound so that a corrupt input fails here and never inside a search. The
     * checks read every int once; nothing is copied, and what is allocated is a few per-level ints.
     */
    static FrozenGraph view(ByteBuffer region, int rows, int dim) throws IOException {
        ByteBuffer g = region.slice().order(ByteOrder.LITTLE_ENDIAN);
        long size = g.limit();
        if (size < 12)
            throw new IOException("corrupt HNSW index: graph region of " + size + " bytes");
        int levels = g.getInt(0);
        int entryNode = g.getInt(4);
        int storedRows = g.getInt(8);
        if (levels < 1 || levels > MAX_LEVELS)
            throw new IOException("corrupt HNSW index: " + levels + " levels");
        if (storedRows != rows)
            throw new IOException("corrupt HNSW index: graph over " + storedRows + " rows, expected " + rows);
        if (rows == 0) {
            if (levels != 1 || entryNode != -1)
                throw new IOException("corrupt HNSW index: empty graph with " + levels + " levels, entry " + entryNode);
        }
        else if (entryNode < 0 || entryNode >= rows)
            throw new IOException("corrupt HNSW index: entry node " + entryNode + " outside [0, " + rows + ")");
        long pos = 12 + 12L * levels;
        if (pos > size)
            throw new IOException("corrupt HNSW index: graph region of " + size + " bytes, its directory needs " + pos);
        int[] maxDegrees = new int[levels];
        int[] counts = new int[levels];
        long[] edges = new long[levels];
        int[] nodesAt = new int[levels];
        int[] offsetsAt = new int[levels];
        int[] adjAt = new int[levels];
        for (int l = 0; l < levels; l++) {
            maxDegrees[l] = g.getInt(12 + 4 * l);
            if (maxDegrees[l] < 0 || maxDegrees[l] > MAX_DEGREE)
                throw new IOException("corrupt HNSW index: level " + l + " max degree " + maxDegrees[l]);
            int count = g.getInt(12 + 4 * levels + 8 * l);
            int e = g.getInt(12 + 4 * levels + 8 * l + 4);
            if (l == 0 ? count != rows : count < 1 || count > rows)
                throw new IOException("corrupt HNSW index: level " + l + " holds " + count + " nodes of " + rows);
            if (e < 0 || e > (long)count * maxDegrees[l])
                throw new IOException("corrupt HNSW index: level " + l + " has " + e + " edges for " + count + " nodes of degree at most "
                    + maxDegrees[l]);
            counts[l] = count;
            edges[l] = e;
            nodesAt[l] = l == 0 ? -1 : (int)pos;
            pos += l == 0 ? 0 : 4L * count;
            offsetsAt[l] = (int)Math.min(pos, Integer.MAX_VALUE);
            pos += 4L * (count + 1);
            adjAt[l] = (int)Math.min(pos, Integer.MAX_VALUE);
            pos += 4L * e;
            if (pos > size)
                throw new IOException("corrupt HNSW index: level " + l + " ends at byte " + pos + " of a " + size + "-byte graph");
        }
        if (pos != size)
            throw new IOException("corrupt HNSW index: graph region of " + size + " bytes, its levels span " + pos);
        for (int l = 0; l < levels; l++) {
            int count = counts[l];
            if (l > 0) {
                int prev = -1;
                for (int i = 0; i < count; i++) {
                    int v = g.getInt(nodesAt[l] + 4 * i);
                    if (v < 0 || v >= rows || v <= prev)
                        throw new IOException("corrupt HNSW index: level " + l + " node list not ascending in range at " + i);
                    prev = v;
                }
            }
            int off = offsetsAt[l];
            if (g.getInt(off) != 0 || g.getInt(off + 4 * count) != edges[l])
                throw new IOException("corrupt HNSW index: level " + l + " offsets do not span " + edges[l] + " edges");
            for (int i = 0, prev = 0; i < count; i++) {
                int next = g.getInt(off + 4 * (i + 1));
                int deg = next - prev;
                if (deg < 0 || deg > maxDegrees[l])
                    throw new IOException("corrupt HNSW index: level " + l + " degree " + deg + " at " + i + " (max " + maxDegrees[l] + ")");
                prev = next;
            }
            int a = adjAt[l];
            for (long j = 0; j < edges[l]; j++) {
                int v = g.getInt(a + (int)(4 * j));
                if (v < 0 || v >= rows || (l > 0 && search(g, nodesAt[l], count, v) < 0))
                    throw new IOException("corrupt HNSW index: level " + l + " edge to " + v + " which is not on that level");
            }
        }
        if (rows > 0 && levels > 1 && search(g, nodesAt[levels - 1], counts[levels - 1], entryNode) < 0)
            throw new IOException("corrupt HNSW index: entry node " + entryNode + " missing from the top level");
        return new FrozenGraph(dim, rows, g, entryNode, maxDegrees, counts, edges, nodesAt, offsetsAt, adjAt);
    }

    /** Binary search of {@code key} among {@code n} ascending ints at byte {@code at}: its index, or negative. */
    private static int search(ByteBuffer g, int at, int n, int key) {
        int lo = 0, hi = n - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int v = g.getInt(at + 4 * mid);
            if (v < key)
                lo = mid + 1;
            else if (v > key)
                hi = mid - 1;
            else
                return mid;
        }
        return -(lo + 1);
    }

    /** @return the top level's entry node, or -1 for an empty graph. */
    int entryNodeId() {
        return entryNode;
    }

    /** @return number of levels (an empty graph has its single empty level: 1). */
    int levels() {
        return counts.length;
    }

    /** @return the region (little-endian, read with absolute gets only; callers must not change it). */
    ByteBuffer region() {
        return g;
    }

    /**
     * @return byte position in {@link #region()} of level {@code level}'s CSR offsets: the node at position {@code p}
     *      has neighbours {@code [getInt(at + 4p), getInt(at + 4p + 4))}, indexes into {@link #adjacencyAt}.
     */
    int offsetsAt(int level) {
        return offsetsAt[level];
    }

    /** @return byte position in {@link #region()} of level {@code level}'s neighbour ids. */
    int adjacencyAt(int level) {
        return adjAt[level];
    }

    /** @return position of {@code node} in level {@code level}, or a negative value when absent. */
    int position(int level, int node) {
        if (level == 0)
            return node >= 0 && node < rows ? node : -1;
        if (level >= counts.length)
            return -1;
        return search(g, nodesAt[level], counts[level], node);
    }

    /** @return the neighbours of {@code node} on {@code level}, in stored order (tests; empty when absent). */
    int[] neighbours(int level, int node) {
        int p = position(level, node);
        if (p < 0)
            return new int[0];
        int from = g.getInt(offsetsAt[level] + 4 * p), to = g.getInt(offsetsAt[level] + 4 * p + 4);
        int[] n = new int[to - from];
        for (int j = from; j < to; j++)
            n[j - from] = g.getInt(adjAt[level] + 4 * j);
        return n;
    }

    @Override public int size(int level) {
        return level < counts.length ? counts[level] : 0;
    }

    @Override public NodesIterator getNodes(int level) {
        if (level == 0) {
            int[] all = new int[rows];
            for (int i = 0; i < rows; i++)
                all[i] = i;
            return new ArrayIterator(all, 0, rows);
        }
        return level < counts.length ? new RegionIterator(g, nodesAt[level], 0, counts[level]) : NodesIterator.EMPTY_NODE_ITERATOR;
    }

    @Override public View getView() {
        return new FrozenView();
    }

    @Override public int maxDegree() {
        int m = 0;
        for (int d : maxDegrees)
            m = Math.max(m, d);
        return m;
    }

    @Override public List<Integer> maxDegrees() {
        List<Integer> l = new ArrayList<>(maxDegrees.length);
        for (int d : maxDegrees)
            l.add(d);
        return l;
    }

    @Override public int getDimension() {
        return dim;
    }

    @Override public void close() {
        // Nothing to release: plain arrays.
    }

    @Override public boolean isHierarchical() {
        return counts.length > 1;
    }

    @Override public int getMaxLevel() {
        return counts.length - 1;
    }

    @Override public int getDegree(int level) {
        return maxDegrees[Math.min(level, maxDegrees.length - 1)];
    }

    @Override public double getAverageDegree(int level) {
        int count = size(level);
        return count == 0 ? Double.NaN : (double)edges[level] / count;
    }

    /** @return heap bytes: the per-level ints, plus the region when it is on the heap (a built or stream-read graph). */
    @Override public long ramBytesUsed() {
        long bytes = 96 + 48 + 6 * (16L + 4L * counts.length) + 4L * counts.length;
        return g.isDirect() ? bytes : bytes + 16 + g.capacity();
    }

    /** @return bytes of the region when it lives outside the heap (viewed in place in a direct buffer), else 0. */
    long offHeapBytesUsed() {
        return g.isDirect() ? g.limit() : 0;
    }

    /** @return number of edges over all levels (for tests and metrics). */
    long edgeCount() {
        long e = 0;
        for (long n : edges)
            e += n;
        return e;
    }

    /** Equal graphs: same rows, dimension and region bytes (so the same levels, entry and neighbour lists). */
    @Override public boolean equals(Object o) {
        if (!(o instanceof FrozenGraph))
            return false;
        FrozenGraph other = (FrozenGraph)o;
        return rows == other.rows && dim == other.dim && g.duplicate().clear().equals(other.g.duplicate().clear());
    }

    @Override public int hashCode() {
        return g.duplicate().clear().hashCode() * 31 + rows;
    }

    @Override public String toString() {
        return "FrozenGraph(rows=" + rows + ", levels=" + counts.length + ", edges=" + edgeCount() + ", entry=" + entry
            + (g.isDirect() ? ", off-heap" : "") + ")";
    }

    /** A view is stateless over the frozen arrays; GraphSearcher asks one per searcher. Thread-safe. */
    private final class FrozenView implements View {
        @Override public NodesIterator getNeighborsIterator(int level, int node) {
            int p = position(level, node);
            if (p < 0)
                return NodesIterator.EMPTY_NODE_ITERATOR;
            int off = offsetsAt[level] + 4 * p;
            return new RegionIterator(g, adjAt[level], g.getInt(off), g.getInt(off + 4));
        }

        @Override public void processNeighbors(int level, int node, ScoreFunction sf, IntMarker visited, NeighborProcessor proc) {
            int p = position(level, node);
            if (p < 0)
                return;
            int a = adjAt[level];
            int off = offsetsAt[level] + 4 * p;
            for (int j = g.getInt(off), end = g.getInt(off + 4); j < end; j++) {
                int n = g.getInt(a + 4 * j);
                assert n >= 0 && n < rows : n;
                if (visited.mark(n))
                    proc.process(n, sf.similarityTo(n));
            }
        }

        @Override public int size() {
            return rows;
        }

        @Override public NodeAtLevel entryNode() {
            return entry;
        }

        @Override public Bits liveNodes() {
            return Bits.ALL;
        }

        @Override public int getIdUpperBound() {
            return rows;
        }

        @Override public boolean contains(int level, int node) {
            return position(level, node) >= 0;
        }

        @Override public void close() {
            // Stateless.
        }
    }

    /** Iterates ints {@code [from, to)} of the region at byte {@code at}. Not thread-safe (one iteration state). */
    private static final class RegionIterator implements NodesIterator {
        private final ByteBuffer g;
        private final int at;
        private final int to;
        private final int size;
        private int i;

        RegionIterator(ByteBuffer g, int at, int from, int to) {
            this.g = g;
            this.at = at;
            this.i = from;
            this.to = to;
            this.size = to - from;
        }

        @Override public int size() {
            return size;
        }

        @Override public boolean hasNext() {
            return i < to;
        }

        @Override public int nextInt() {
            if (i >= to)
                throw new NoSuchElementException();
            return g.getInt(at + 4 * i++);
        }
    }

    /** Iterates {@code a[from..to)}. Not thread-safe (one iteration state). */
    private static final class ArrayIterator implements NodesIterator {
        private final int[] a;
        private final int to;
        private final int size;
        private int i;

        ArrayIterator(int[] a, int from, int to) {
            this.a = a;
            this.i = from;
            this.to = to;
            this.size = to - from;
        }

        @Override public int size() {
            return size;
        }

        @Override public boolean hasNext() {
            return i < to;
        }

        @Override public int nextInt() {
            if (i >= to)
                throw new NoSuchElementException();
            return a[i++];
        }
    }
}
