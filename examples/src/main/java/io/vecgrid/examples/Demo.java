package io.vecgrid.examples;

import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.ReplicaGroupInfo;
import io.vecgrid.api.ReplicaInfo;
import io.vecgrid.api.SearchHit;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import io.vecgrid.config.VecgridConfiguration;
import io.vecgrid.dataset.Dataset;
import io.vecgrid.dataset.Datasets;
import io.vecgrid.dataset.GroundTruth;
import org.apache.ignite.Ignite;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The main job: an embedded cluster of three vecgrid nodes, each keeping its data in Ignite native persistence in a
 * fresh directory of the demo's own, loads the real Fashion-MNIST data set into a collection with two in-memory
 * replicas, seals it into HNSW segments, and serves searches through every node, checking recall@10 against exact
 * ground truth. Then it stops one node and shows that searches go on, served by the other replica group, with
 * nothing reloaded; then it stops the whole cluster, starts it again, and shows every row back and every segment
 * served again from each node's own disk, indexes not rebuilt. The directory is removed at the end.
 *
 * <p>Arguments: {@code [rows] [queries] [--serve]} (defaults 60000 and 1000); {@code --serve} keeps the cluster up
 * for thin clients, SQL and the CLI on 127.0.0.1:10800 until the process is stopped.
 */
public final class Demo {
    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        int rows = 60_000;
        int queries = 1_000;
        boolean serve = false;
        List<Integer> nums = new ArrayList<>();
        for (String a : args) {
            if (a.equals("--serve"))
                serve = true;
            else
                nums.add(Integer.parseInt(a));
        }
        if (!nums.isEmpty())
            rows = nums.get(0);
        if (nums.size() > 1)
            queries = nums.get(1);

        Dataset data = Datasets.fashionMnist();
        rows = Math.min(rows, data.baseCount());
        queries = Math.min(queries, data.queryCount());
        int dim = data.dim();
        System.out.printf("Fashion-MNIST: %d base vectors of %d dimensions, %d queries, metric %s%n", rows, dim, queries,
            data.metric());
        float[] base = data.loadBase(rows);
        float[] qs = data.loadQueries(queries);
        int[][] truth = rows == data.baseCount() ? data.loadGroundTruth(queries) : data.groundTruth(rows, queries, 10);

        // A new persistent cluster activates itself once all three nodes joined, so its baseline holds all three.
        VecgridConfiguration cfg = new VecgridConfiguration().setSealRows(8192).setExpectedServerNodes(3);
        java.io.File work = java.nio.file.Files.createTempDirectory("vecgrid-demo").toFile();
        System.out.println("Data directory of the three nodes (native persistence, removed at the end): " + work);
        try (EmbeddedCluster cluster = new EmbeddedCluster(3, 1L << 30, cfg, work)) {
            VectorGrid vg = Vecgrid.of(cluster.node(0));
            vg.createCollection(CollectionSpec.builder("fashion").dimension(dim).metric(data.metric())
                .index(IndexSpec.hnsw()).shards(2).replicas(2).build());
            long start = System.nanoTime();
            for (int i = 0; i < rows; i += 1000) {
                List<VectorRow> batch = new ArrayList<>();
                for (int r = i; r < Math.min(rows, i + 1000); r++) {
                    float[] v = new float[dim];
                    System.arraycopy(base, r * dim, v, 0, dim);
                    batch.add(new VectorRow(r, v, Map.of()));
                }
                vg.insert("fashion", batch);
            }
            System.out.printf("Inserted %d rows in %.1f s (acknowledged by both replicas)%n", rows,
                (System.nanoTime() - start) / 1e9);
            start = System.nanoTime();
            vg.flush("fashion");
            System.out.printf("Sealed into HNSW segments in %.1f s: %s%n", (System.nanoTime() - start) / 1e9,
                vg.describeCollection("fashion"));
            printReplicas(vg.replicas("fashion"));
            printMemory(cluster.nodes(), rows, 2, dim);

            search(cluster.nodes(), qs, queries, dim, truth, "all three nodes up");

            Ignite stopped = cluster.node(2);
            System.out.println("Stopping node " + stopped.cluster().localNode().id() + " ...");
            cluster.stop(2);
            search(cluster.nodes(), qs, queries, dim, truth, "one node down");
            System.out.println("count after the node loss: " + vg.count("fashion"));

            System.out.println("Stopping the whole cluster and starting it again from its data directory ...");
            cluster.stopAll();
            start = System.nanoTime();
            cluster.startAll();
            double active = (System.nanoTime() - start) / 1e9;
            vg = Vecgrid.of(cluster.node(0));
            awaitEverySegmentServiceable(cluster.node(0), "fashion", 2);
            System.out.printf("Restarted: active %.1f s after the nodes started, every segment serviceable on both " +
                "replicas after %.1f s (loaded from each node's own data, no index rebuilt); count %d%n", active,
                (System.nanoTime() - start) / 1e9, vg.count("fashion"));
            search(cluster.nodes(), qs, queries, dim, truth, "after the full restart");

            if (serve) {
                System.out.println("Serving on 127.0.0.1:10800 (thin clients, JDBC, CLI). Stop with Ctrl-C.");
                Thread.currentThread().join();
            }
        }
        finally {
            deleteTree(work);
        }
    }

    /** Waits until every segment of the collection's target reports {@code copies} serviceable copies. */
    private static void awaitEverySegmentServiceable(Ignite ig, String collection, int copies) throws InterruptedException {
        Vecgrid local = Vecgrid.local(ig);
        long deadline = System.currentTimeMillis() + 300_000;
        while (true) {
            io.vecgrid.collection.CollectionMeta meta = local.metaStore().meta(collection);
            io.vecgrid.search.RoutingTable t = local.routing().refresh();
            boolean all = true;
            for (io.vecgrid.collection.SegmentRef s : local.metaStore().target(meta).segments())
                all &= t.copies(meta.segmentsCache(), s.id()).size() >= copies;
            if (all)
                return;
            if (System.currentTimeMillis() > deadline)
                throw new IllegalStateException("segments of '" + collection + "' not serviceable within 300 s");
            Thread.sleep(50);
        }
    }

    private static void deleteTree(java.io.File dir) throws java.io.IOException {
        if (!dir.exists())
            return;
        try (java.util.stream.Stream<java.nio.file.Path> s = java.nio.file.Files.walk(dir.toPath())) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static void search(List<Ignite> routers, float[] qs, int queries, int dim, int[][] truth, String what) {
        int[][] found = new int[queries][];
        long start = System.nanoTime();
        int retries = 0;
        for (int q = 0; q < queries; q++) {
            float[] v = new float[dim];
            System.arraycopy(qs, q * dim, v, 0, dim);
            SearchResult r = Vecgrid.of(routers.get(q % routers.size()))
                .search(SearchRequest.builder("fashion", new float[][] {v}, 10).diagnostics(true).build());
            List<SearchHit> hits = r.hits(0);
            found[q] = hits.stream().mapToInt(h -> (int)h.pk()).toArray();
            retries += r.diagnostics().retries();
        }
        double secs = (System.nanoTime() - start) / 1e9;
        System.out.printf("%s: %d searches through %d routers, recall@10 = %.4f, %.0f searches/s, %d failovers, 0 failed%n",
            what, queries, routers.size(), GroundTruth.recall(truth, found, 10), queries / secs, retries);
    }

    /**
     * Memory per vector per copy: off-heap (the "default" data region: location entries, segment entries, growing rows
     * not sealed yet, delete marks) and heap (loaded segment copies with their indexes, from the vecgrid metrics),
     * summed over the nodes and divided by rows × copies.
     */
    private static void printMemory(List<Ignite> nodes, int rows, int copies, int dim) {
        long offHeap = 0;
        long heap = 0;
        for (Ignite ig : nodes) {
            offHeap += ig.dataRegionMetrics("default").getTotalUsedSize();
            heap += Vecgrid.local(ig).segments().loadedBytes();
        }
        double per = (double)rows * copies;
        System.out.printf("Memory per vector per copy: %.0f bytes off-heap (location and segment entries, incl. Ignite's " +
            "overhead), %.0f bytes on-heap (loaded copy + index); the raw vector is %d bytes%n", offHeap / per, heap / per,
            4 * dim);
    }

    private static void printReplicas(ReplicaInfo info) {
        System.out.println("Replica groups of '" + info.collection() + "' (replicaNumber " + info.replicaNumber() + "):");
        for (ReplicaGroupInfo g : info.groups()) {
            System.out.println("  group " + g.id() + ": nodes " + g.nodes() + ", shard leaders " + g.shardLeaders());
            for (Map.Entry<UUID, List<ReplicaGroupInfo.SegmentCopy>> e : g.segments().entrySet())
                System.out.println("    node " + e.getKey() + " serves segments " + e.getValue());
        }
    }
}
