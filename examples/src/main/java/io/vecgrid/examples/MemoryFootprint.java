package io.vecgrid.examples;

import io.vecgrid.Vecgrid;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.collection.ShardState;
import io.vecgrid.config.VecgridConfiguration;
import io.vecgrid.search.RoutingTable;
import org.apache.ignite.DataRegionMetrics;
import org.apache.ignite.Ignite;
import org.apache.ignite.cache.CachePeekMode;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The RAM the vecgrid nodes of this JVM hold, in three parts that together are what their data costs:
 * <ul>
 *   <li><b>region pages</b>: pages of every data region in RAM, over the nodes ({@code DataRegionMetrics
 *       .getPhysicalMemorySize}: the loaded pages of a persistent region, the allocated pages of an in-memory one);</li>
 *   <li><b>heap</b>: the Java heap in use right after {@code System.gc()} (live objects only);</li>
 *   <li><b>direct</b>: direct buffers in use ({@code BufferPoolMXBean "direct"}): the loaded segment copies, and
 *       Ignite's own few buffers.</li>
 * </ul>
 * Why these rather than the process's resident set (VmRSS, also recorded): the resident set also holds heap the
 * collector keeps committed after a collection (its size follows GC ergonomics, not the data), code, metaspace and
 * thread stacks, and it never shrinks when memory is given back to the allocator, so its slope between two loads says
 * more about the collector than about a vector's cost. The parts above are what grows with the rows.
 *
 * <p>Memory per vector per copy is the slope between two loads: {@code (after - before) / (rows added * copies)}.
 * A fixed cost (a node's bounded page cache, the JVM) cancels out; what is left is what each further row costs.
 */
public final class MemoryFootprint {
    /** Region pages in RAM, bytes, over the nodes. */
    public final long regionBytes;
    /** Heap in use after a full collection, bytes (the whole JVM). */
    public final long heapBytes;
    /** Direct buffers in use, bytes (the whole JVM). */
    public final long directBytes;
    /** Direct memory the nodes' loaded segment copies hold, bytes (part of {@link #directBytes}). */
    public final long copiesBytes;
    /** VmRSS of this process, bytes (-1 where /proc is not there). */
    public final long rssBytes;

    private MemoryFootprint(long regionBytes, long heapBytes, long directBytes, long copiesBytes, long rssBytes) {
        this.regionBytes = regionBytes;
        this.heapBytes = heapBytes;
        this.directBytes = directBytes;
        this.copiesBytes = copiesBytes;
        this.rssBytes = rssBytes;
    }

    /** @return region pages + heap after GC + direct buffers. */
    public long total() {
        return regionBytes + heapBytes + directBytes;
    }

    /**
     * Runs {@code perNode} searches through every node, as a serving cluster does all the time, then acknowledges
     * every connection, before a measurement. Ignite's communication keeps each message a node sent until the
     * receiver acknowledges it, which the receiver does once every {@code ackSendThreshold} (32) messages it received
     * on that connection; right after a load the last messages of a connection are segment chunk writes of 4 MiB each,
     * up to 31 of them per direction, hundreds of MB of heap over the nodes. Searches alone do not release them: a
     * router searches its local copies without a message, so a connection may carry none. Those messages are a cost of
     * a connection (at most 31 x the largest message, on any cluster that writes), not of the rows, and whether a
     * measurement catches them is chance; so every node also sends {@link #FLUSH_MESSAGES} small messages to every
     * other node, after which each connection holds only those.
     */
    public static void serve(List<Ignite> nodes, String collection, float[][] queries, int perNode) {
        int q = 0;
        for (Ignite ig : nodes) {
            io.vecgrid.api.VectorGrid vg = Vecgrid.of(ig);
            for (int i = 0; i < perNode; i++, q++)
                vg.search(io.vecgrid.api.SearchRequest.builder(collection, new float[][] {queries[q % queries.length]}, 10).build());
        }
        acknowledgeConnections(nodes);
    }

    /** Small messages per ordered pair of nodes: twice the receivers' acknowledgement threshold. */
    static final int FLUSH_MESSAGES = 64;

    /** Sends {@link #FLUSH_MESSAGES} small messages from every node to every other node (see {@link #serve}). */
    public static void acknowledgeConnections(List<Ignite> nodes) {
        String topic = "vecgrid-memory-footprint-flush";
        java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();
        org.apache.ignite.lang.IgniteBiPredicate<java.util.UUID, Object> count = (from, msg) -> {
            received.incrementAndGet();
            return true;
        };
        for (Ignite ig : nodes)
            ig.message().localListen(topic, count);
        long expected = 0;
        try {
            for (Ignite from : nodes) {
                for (Ignite to : nodes) {
                    if (from == to)
                        continue;
                    org.apache.ignite.IgniteMessaging msg = from.message(from.cluster().forNode(to.cluster().localNode()));
                    for (int i = 0; i < FLUSH_MESSAGES; i++, expected++)
                        msg.send(topic, i);
                }
            }
            long deadline = System.currentTimeMillis() + 30_000;
            while (received.get() < expected && System.currentTimeMillis() < deadline)
                Thread.sleep(20);
            // The last acknowledgement travels after the last message is received.
            Thread.sleep(500);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        finally {
            for (Ignite ig : nodes)
                ig.message().stopLocalListen(topic, count);
        }
    }

    /** Measures now: collects garbage first (twice, so that objects freed by finalization-like cleanup go too). */
    public static MemoryFootprint measure(List<Ignite> nodes) {
        long region = 0;
        long copies = 0;
        for (Ignite ig : nodes) {
            for (DataRegionMetrics m : ig.dataRegionMetrics())
                region += m.getPhysicalMemorySize();
            copies += Vecgrid.local(ig).segments().loadedOffHeapBytes();
        }
        System.gc();
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        String dump = System.getProperty("vecgrid.memory.heapdump");
        if (dump != null) {
            try {
                java.nio.file.Path f = Paths.get(dump + "-" + System.currentTimeMillis() + ".hprof");
                ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class).dumpHeap(f.toString(), true);
            }
            catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        if (Boolean.getBoolean("vecgrid.memory.histogram"))
            System.out.println(histogram(Integer.getInteger("vecgrid.memory.histogram.lines", 20)));
        long direct = 0;
        for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (b.getName().equals("direct"))
                direct = b.getMemoryUsed();
        }
        return new MemoryFootprint(region, heap, direct, copies, rss());
    }

    /**
     * @return the {@code lines} first lines of the live heap's class histogram (jcmd's GC.class_histogram, through
     *      the DiagnosticCommand MBean), to see what the heap holds when {@code -Dvecgrid.memory.histogram=true}.
     */
    public static String histogram(int lines) {
        try {
            Object out = ManagementFactory.getPlatformMBeanServer().invoke(
                new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
            String[] all = String.valueOf(out).split("\n");
            return String.join("\n", Arrays.copyOf(all, Math.min(lines, all.length)));
        }
        catch (Exception e) {
            return "no class histogram: " + e;
        }
    }

    private static long rss() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
                if (line.startsWith("VmRSS:"))
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        catch (Exception e) {
            // Not Linux: no resident set figure.
        }
        return -1;
    }

    /** The slope from {@code before} to {@code after}, per vector per copy. */
    public static final class Slope {
        public final double total;
        public final double region;
        public final double heap;
        public final double direct;
        public final double rss;
        public final double rawBytes;

        public Slope(MemoryFootprint before, MemoryFootprint after, long rowsAdded, int copies, int dim) {
            double per = (double)rowsAdded * copies;
            total = (after.total() - before.total()) / per;
            region = (after.regionBytes - before.regionBytes) / per;
            heap = (after.heapBytes - before.heapBytes) / per;
            direct = (after.directBytes - before.directBytes) / per;
            rss = before.rssBytes < 0 ? Double.NaN : (after.rssBytes - before.rssBytes) / per;
            rawBytes = 4.0 * dim;
        }

        /** @return total / raw vector. */
        public double ratio() {
            return total / rawBytes;
        }

        /** @return the demo's line: {@code RAM per vector per copy: <bytes> B = <ratio>x raw}. */
        public String line() {
            return String.format("RAM per vector per copy: %.0f B = %.2fx raw", total, ratio());
        }

        /** @return the parts of {@link #total}, and VmRSS beside them. */
        public String breakdown() {
            return String.format("region pages %.0f B + heap after GC %.0f B + direct %.0f B (raw vector %.0f B; " +
                "VmRSS slope %.0f B)", region, heap, direct, rawBytes, rss);
        }
    }

    /**
     * Waits until the collection is settled, so that what is measured is its steady state: no growing rows, no
     * layout operation or forward in progress, at most one small segment per shard (a quiet shard merges its small
     * segments), every segment served by {@code copies} nodes, and the nodes holding exactly those copies (segments
     * replaced by merges dropped after their grace period, and their copies freed) with none loading; then still so
     * one second later.
     */
    public static void awaitSettled(List<Ignite> nodes, String collection, int copies, long timeoutMillis)
        throws InterruptedException {
        Vecgrid local = Vecgrid.local(nodes.get(0));
        VecgridConfiguration cfg = local.configuration();
        long small = (long)(cfg.getSmallSegmentRatio() * cfg.getSegmentMaxBytes());
        long deadline = System.currentTimeMillis() + timeoutMillis;
        Object last = null;
        long since = 0;
        while (true) {
            Object now = settledState(nodes, local, collection, copies, small);
            if (now != null && now.equals(last)) {
                if (System.currentTimeMillis() - since >= 1_000)
                    return;
            }
            else {
                last = now;
                since = System.currentTimeMillis();
            }
            if (System.currentTimeMillis() > deadline)
                throw new IllegalStateException("collection '" + collection + "' did not settle within " + timeoutMillis + " ms");
            Thread.sleep(200);
        }
    }

    /** @return a summary of the settled state (compared between polls), or {@code null} while not settled. */
    private static Object settledState(List<Ignite> nodes, Vecgrid local, String collection, int copies, long small) {
        CollectionMeta meta = local.metaStore().meta(collection);
        if (meta == null)
            return null;
        RoutingTable table = local.routing().refresh();
        List<Object> state = new ArrayList<>();
        int segments = 0;
        for (ShardState st : local.metaStore().shardStates(meta)) {
            if (!st.ops().isEmpty() || !st.forwards().isEmpty() || table.growingRows(meta.rowsCache(), st.shard()) > 0)
                return null;
            int smallOnes = 0;
            for (SegmentRef s : st.segments()) {
                smallOnes += s.bytes() < small ? 1 : 0;
                if (table.copies(meta.segmentsCache(), s.id()).size() < copies)
                    return null;
            }
            if (smallOnes > 1)
                return null;
            segments += st.segments().size();
            state.add(st.version());
        }
        int loaded = 0;
        long bytes = 0;
        for (Ignite ig : nodes) {
            if (Vecgrid.local(ig).segments().loadingSegments() > 0)
                return null;
            loaded += Vecgrid.local(ig).segments().loadedSegments();
            bytes += Vecgrid.local(ig).segments().loadedOffHeapBytes();
        }
        if (loaded != segments * copies)
            return null;
        if (!local.configuration().isKeepLoadedSegmentChunks()) {
            // Chunks are released once every owner has loaded a segment: settled when only chunk 0 of each is left.
            long entries = 0;
            for (Ignite ig : nodes)
                entries += ig.cache(meta.segmentsCache()).localSizeLong(CachePeekMode.PRIMARY, CachePeekMode.BACKUP);
            if (entries != (long)segments * copies)
                return null;
        }
        state.add(loaded);
        state.add(bytes);
        return Objects.hash(state.toArray());
    }
}
