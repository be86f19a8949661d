package io.vecgrid.index;

import io.github.jbellis.jvector.graph.ImmutableGraphIndex;
import io.github.jbellis.jvector.graph.NodesIterator;
import io.github.jbellis.jvector.graph.similarity.ScoreFunction;
import io.github.jbellis.jvector.util.Bits;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * An HNSW graph frozen into primitive arrays, searchable by jvector's {@code GraphSearcher}. Immutable: any number of
 * threads may search it at once.
 *
 * <p>Layout, per level {@code l}: the adjacency lists in compressed-sparse-row form ({@code offsets[l]} of length
 * {@code count + 1} into {@code adj[l]}). Level 0 holds every node, so its position is the node itself; an upper
 * level lists its nodes in ascending order ({@code nodes[l]}) and finds a node's position by binary search (upper
 * levels are small and visited a few times per query). Neighbour order is kept as jvector built it (best first).
 *
 * <p>The builder's {@code OnHeapGraphIndex} is copied into this form once built, and a loaded graph is read straight
 * into it, so a built index and the same index loaded back are one class over equal arrays and answer identically.
 */
final class FrozenGraph implements ImmutableGraphIndex {
    /** Bound on a stored degree, far above any (2 * M * overflow) the builder makes; guards reads. */
    private static final int MAX_DEGREE = 1 << 16;

    private final int dim;
    private final int rows;
    /** Per level: ascending node ids; {@code null} for level 0 (all nodes). */
    private final int[][] nodes;
    private final int[][] offsets;
    private final int[][] adj;
    private final int[] maxDegrees;
    private final NodeAtLevel entry;

    private FrozenGraph(int dim, int rows, int[][] nodes, int[][] offsets, int[][] adj, int[] maxDegrees, int entryNode) {
        this.dim = dim;
        this.rows = rows;
        this.nodes = nodes;
        this.offsets = offsets;
        this.adj = adj;
        this.maxDegrees = maxDegrees;
        this.entry = rows == 0 ? null : new NodeAtLevel(offsets.length - 1, entryNode);
    }

    /** @return an empty graph (no rows). */
    static FrozenGraph empty(int dim) {
        return new FrozenGraph(dim, 0, new int[][] {null}, new int[][] {{0}}, new int[][] {{}}, new int[] {0}, -1);
    }

    /**
     * Copies a finished jvector graph.
     *
     * @param g graph whose level 0 holds exactly the nodes {@code 0..rows-1}.
     */
    static FrozenGraph copyOf(ImmutableGraphIndex g, int rows, int dim) {
        if (rows == 0)
            return empty(dim);
        int levels = g.getMaxLevel() + 1;
        if (g.size(0) != rows)
            throw new IllegalStateException("graph level 0 holds " + g.size(0) + " nodes, expected " + rows);
        int[][] nodes = new int[levels][];
        int[][] offsets = new int[levels][];
        int[][] adj = new int[levels][];
        int[] maxDegrees = new int[levels];
        try (ImmutableGraphIndex.View view = g.getView()) {
            for (int l = 0; l < levels; l++) {
                int[] levelNodes;
                if (l == 0)
                    levelNodes = null;
                else {
                    levelNodes = new int[g.size(l)];
                    NodesIterator it = g.getNodes(l);
                    int c = 0;
                    while (it.hasNext())
                        levelNodes[c++] = it.nextInt();
                    if (c != levelNodes.length)
                        throw new IllegalStateException("level " + l + " listed " + c + " nodes, size says " + levelNodes.length);
                    Arrays.sort(levelNodes);
                }
                int count = l == 0 ? rows : levelNodes.length;
                int[] off = new int[count + 1];
                int[] a = new int[Math.max(16, count * 8)];
                int n = 0;
                int maxDeg = 0;
                for (int i = 0; i < count; i++) {
                    int node = l == 0 ? i : levelNodes[i];
                    NodesIterator it = view.getNeighborsIterator(l, node);
                    int deg = 0;
                    while (it.hasNext()) {
                        if (n == a.length)
                            a = Arrays.copyOf(a, a.length + (a.length >> 1));
                        a[n++] = it.nextInt();
                        deg++;
                    }
                    maxDeg = Math.max(maxDeg, deg);
                    off[i + 1] = n;
                }
                nodes[l] = levelNodes;
                offsets[l] = off;
                adj[l] = Arrays.copyOf(a, n);
                maxDegrees[l] = Math.max(g.getDegree(l), maxDeg);
            }
            NodeAtLevel e = view.entryNode();
            if (e == null || e.level != levels - 1)
                throw new IllegalStateException("graph entry " + e + " is not on the top level " + (levels - 1));
            return new FrozenGraph(dim, rows, nodes, offsets, adj, maxDegrees, e.node);
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the levels; the reader is {@link #read}. */
    void write(DataOutput out) throws IOException {
        int levels = offsets.length;
        out.writeInt(levels);
        out.writeInt(entry == null ? -1 : entry.node);
        IntIO.write(out, maxDegrees, levels);
        for (int l = 0; l < levels; l++) {
            int count = l == 0 ? rows : nodes[l].length;
            out.writeInt(count);
            if (l > 0)
                IntIO.write(out, nodes[l], count);
            IntIO.write(out, offsets[l], count + 1);
            out.writeInt(adj[l].length);
            IntIO.write(out, adj[l], adj[l].length);
        }
    }

    /**
     * Reads a graph written by {@link #write}, checking every bound so that a corrupt input fails here and never
     * inside a search.
     */
    static FrozenGraph read(DataInput in, int rows, int dim) throws IOException {
        int levels = in.readInt();
        int entryNode = in.readInt();
        if (levels < 1 || levels > 64)
            throw new IOException("corrupt HNSW index: " + levels + " levels");
        if (rows == 0) {
            if (levels != 1 || entryNode != -1)
                throw new IOException("corrupt HNSW index: empty graph with " + levels + " levels, entry " + entryNode);
        }
        else if (entryNode < 0 || entryNode >= rows)
            throw new IOException("corrupt HNSW index: entry node " + entryNode + " outside [0, " + rows + ")");
        int[] maxDegrees = IntIO.read(in, levels);
        for (int l = 0; l < levels; l++) {
            if (maxDegrees[l] < 0 || maxDegrees[l] > MAX_DEGREE)
                throw new IOException("corrupt HNSW index: level " + l + " max degree " + maxDegrees[l]);
        }
        int[][] nodes = new int[levels][];
        int[][] offsets = new int[levels][];
        int[][] adj = new int[levels][];
        for (int l = 0; l < levels; l++) {
            int count = in.readInt();
            if (l == 0 ? count != rows : count < 1 || count > rows)
                throw new IOException("corrupt HNSW index: level " + l + " holds " + count + " nodes of " + rows);
            if (l > 0) {
                nodes[l] = IntIO.read(in, count);
                for (int i = 0; i < count; i++) {
                    int v = nodes[l][i];
                    if (v < 0 || v >= rows || (i > 0 && v <= nodes[l][i - 1]))
                        throw new IOException("corrupt HNSW index: level " + l + " node list not ascending in range at " + i);
                }
            }
            offsets[l] = IntIO.read(in, count + 1);
            int edges = in.readInt();
            if (edges < 0 || edges > (long)count * maxDegrees[l] || offsets[l][0] != 0 || offsets[l][count] != edges)
                throw new IOException("corrupt HNSW index: level " + l + " offsets do not span " + edges + " edges");
            for (int i = 0; i < count; i++) {
                int deg = offsets[l][i + 1] - offsets[l][i];
                if (deg < 0 || deg > maxDegrees[l])
                    throw new IOException("corrupt HNSW index: level " + l + " degree " + deg + " at " + i + " (max " + maxDegrees[l] + ")");
            }
            adj[l] = IntIO.read(in, edges);
            for (int j = 0; j < edges; j++) {
                int v = adj[l][j];
                if (v < 0 || v >= rows || (l > 0 && Arrays.binarySearch(nodes[l], v) < 0))
                    throw new IOException("corrupt HNSW index: level " + l + " edge to " + v + " which is not on that level");
            }
        }
        if (rows > 0 && levels > 1 && Arrays.binarySearch(nodes[levels - 1], entryNode) < 0)
            throw new IOException("corrupt HNSW index: entry node " + entryNode + " missing from the top level");
        return new FrozenGraph(dim, rows, nodes, offsets, adj, maxDegrees, entryNode);
    }

    /** @return the top level's entry node, or -1 for an empty graph. */
    int entryNodeId() {
        return entry == null ? -1 : entry.node;
    }

    /** @return number of levels (0 for an empty graph's single empty level too: 1). */
    int levels() {
        return offsets.length;
    }

    /** @return adjacency lists of {@code level}, indexed through {@link #offsets(int)} (read only). */
    int[] adjacency(int level) {
        return adj[level];
    }

    /** @return CSR offsets of {@code level}: node at position {@code p} has neighbours {@code [off[p], off[p+1])}. */
    int[] offsets(int level) {
        return offsets[level];
    }

    /** @return position of {@code node} in level {@code level}, or a negative value when absent. */
    int position(int level, int node) {
        if (level == 0)
            return node >= 0 && node < rows ? node : -1;
        if (level >= nodes.length)
            return -1;
        return Arrays.binarySearch(nodes[level], node);
    }

    @Override public int size(int level) {
        return level == 0 ? rows : level < nodes.length ? nodes[level].length : 0;
    }

    @Override public NodesIterator getNodes(int level) {
        if (level == 0) {
            int[] all = new int[rows];
            for (int i = 0; i < rows; i++)
                all[i] = i;
            return new ArrayIterator(all, 0, rows);
        }
        return level < nodes.length ? new ArrayIterator(nodes[level], 0, nodes[level].length) : NodesIterator.EMPTY_NODE_ITERATOR;
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
        return offsets.length > 1;
    }

    @Override public int getMaxLevel() {
        return offsets.length - 1;
    }

    @Override public int getDegree(int level) {
        return maxDegrees[Math.min(level, maxDegrees.length - 1)];
    }

    @Override public double getAverageDegree(int level) {
        int count = size(level);
        return count == 0 ? Double.NaN : (double)adj[level].length / count;
    }

    @Override public long ramBytesUsed() {
        long bytes = 64;
        for (int l = 0; l < offsets.length; l++) {
            bytes += 16L + 4L * offsets[l].length + 16L + 4L * adj[l].length;
            if (nodes[l] != null)
                bytes += 16L + 4L * nodes[l].length;
        }
        return bytes;
    }

    /** @return number of edges over all levels (for tests and metrics). */
    long edgeCount() {
        long e = 0;
        for (int[] a : adj)
            e += a.length;
        return e;
    }

    @Override public boolean equals(Object o) {
        if (!(o instanceof FrozenGraph))
            return false;
        FrozenGraph g = (FrozenGraph)o;
        return rows == g.rows && dim == g.dim && Arrays.deepEquals(nodes, g.nodes) && Arrays.deepEquals(offsets, g.offsets)
            && Arrays.deepEquals(adj, g.adj) && Arrays.equals(maxDegrees, g.maxDegrees)
            && (entry == null ? g.entry == null : g.entry != null && entry.node == g.entry.node && entry.level == g.entry.level);
    }

    @Override public int hashCode() {
        return Arrays.deepHashCode(adj) * 31 + rows;
    }

    @Override public String toString() {
        return "FrozenGraph(rows=" + rows + ", levels=" + offsets.length + ", edges=" + edgeCount() + ", entry=" + entry + ")";
    }

    /** A view is stateless over the frozen arrays; GraphSearcher asks one per searcher. Thread-safe. */
    private final class FrozenView implements View {
        @Override public NodesIterator getNeighborsIterator(int level, int node) {
            int p = position(level, node);
            if (p < 0)
                return NodesIterator.EMPTY_NODE_ITERATOR;
            int[] off = offsets[level];
            return new ArrayIterator(adj[level], off[p], off[p + 1]);
        }

        @Override public void processNeighbors(int level, int node, ScoreFunction sf, IntMarker visited, NeighborProcessor proc) {
            int p = position(level, node);
            if (p < 0)
                return;
            int[] a = adj[level];
            int[] off = offsets[level];
            for (int j = off[p], end = off[p + 1]; j < end; j++) {
                int n = a[j];
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
