package io.vecgrid.process;

import io.vecgrid.SegmentInspector;
import io.vecgrid.TestCluster;
import io.vecgrid.Vecgrid;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.search.RoutingTable;
import org.apache.ignite.Ignite;

import java.util.ArrayList;
import java.util.List;

/**
 * What the routing table of a node (here: the tests' thick client) says about a collection's copies: the nodes that
 * report a serviceable copy of each segment of the current target, and the nodes that report each shard's rows
 * partition OWNING (its growing rows). Read fresh from the distribution reports of the live nodes.
 */
final class Replication {
    private Replication() {
    }

    /**
     * @return what lacks {@code copies} copies: "segment ID (n copies)" for each segment of the target with fewer
     *      serviceable copies, "shard S (n owners)" for each shard with fewer OWNING owners; empty when all is there.
     */
    static List<String> lacking(Ignite ig, String collection, int copies) {
        SegmentInspector insp = new SegmentInspector(ig, collection);
        CollectionMeta meta = insp.meta();
        RoutingTable t = Vecgrid.local(ig).routing().refresh();
        List<String> res = new ArrayList<>();
        for (SegmentRef s : insp.target().segments()) {
            int n = t.copies(meta.segmentsCache(), s.id()).size();
            if (n < copies)
                res.add("segment " + s.id() + " (" + n + " copies)");
        }
        for (int shard = 0; shard < meta.spec().shards(); shard++) {
            int n = t.shardOwners(meta.rowsCache(), shard).size();
            if (n < copies)
                res.add("shard " + shard + " (" + n + " owners)");
        }
        return res;
    }

    /**
     * @return where the collection lives now, by node name ({@code vecgrid.node.name}, else consistent id): the owners
     *      of each shard's rows partition and of each target segment's slot, primary first.
     */
    static String placement(Ignite ig, String collection) {
        SegmentInspector insp = new SegmentInspector(ig, collection);
        CollectionMeta meta = insp.meta();
        StringBuilder sb = new StringBuilder(collection).append(": rows");
        for (int shard = 0; shard < meta.spec().shards(); shard++)
            sb.append(" shard ").append(shard).append(names(ig.affinity(meta.rowsCache()).mapPartitionToPrimaryAndBackups(shard)));
        sb.append("; segments");
        for (SegmentRef s : insp.target().segments())
            sb.append(" ").append(s.id()).append('@').append(s.slot())
                .append(names(ig.affinity(meta.segmentsCache()).mapPartitionToPrimaryAndBackups(s.slot())));
        return sb.toString();
    }

    static List<String> names(java.util.Collection<org.apache.ignite.cluster.ClusterNode> nodes) {
        List<String> res = new ArrayList<>();
        for (org.apache.ignite.cluster.ClusterNode n : nodes) {
            Object name = n.attribute("vecgrid.node.name");
            res.add(name != null ? name.toString() : String.valueOf(n.consistentId()));
        }
        return res;
    }

    /**
     * Waits until every segment of every collection's target is serviceable on {@code copies} nodes and every shard
     * has {@code copies} OWNING owners.
     */
    static void awaitAll(Ignite ig, int copies, long timeoutMs, String... collections) {
        List<String> last = new ArrayList<>();
        try {
            TestCluster.awaitTrue("every segment and shard on " + copies + " nodes", () -> {
                last.clear();
                for (String c : collections) {
                    for (String l : lacking(ig, c, copies))
                        last.add(c + ": " + l);
                }
                return last.isEmpty();
            }, timeoutMs);
        }
        catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; still lacking: " + last, e);
        }
    }

    /**
     * Waits until the collections are fully replicated and their targets have not changed for {@code quietMillis}
     * (the coordinator may still move or merge a segment right after a flush), so that what a test records next
     * (segment ids, recall of HNSW graphs) stays.
     */
    static void awaitSettled(Ignite ig, int copies, long quietMillis, String... collections) {
        long deadline = System.currentTimeMillis() + 120_000;
        List<Long> versions = null;
        long since = System.currentTimeMillis();
        while (true) {
            awaitAll(ig, copies, 60_000, collections);
            List<Long> now = new ArrayList<>();
            for (String c : collections)
                now.add(new SegmentInspector(ig, c).target().version());
            if (!now.equals(versions)) {
                versions = now;
                since = System.currentTimeMillis();
            }
            else if (System.currentTimeMillis() - since >= quietMillis)
                return;
            if (System.currentTimeMillis() > deadline)
                throw new AssertionError("targets of " + List.of(collections) + " kept changing");
            try {
                Thread.sleep(200);
            }
            catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /**
     * Waits (at most 3 minutes) until {@code n} reaches {@code target}, failing at once with the first failures when
     * more than 20 of the load's operations failed meanwhile.
     */
    static void awaitCount(java.util.concurrent.atomic.AtomicInteger n, int target, List<String> failures)
        throws InterruptedException {
        long deadline = System.currentTimeMillis() + 180_000;
        while (n.get() < target) {
            org.junit.jupiter.api.Assertions.assertTrue(System.currentTimeMillis() < deadline,
                "reached " + target + " (at " + n.get() + ")");
            if (failures.size() > 20)
                org.junit.jupiter.api.Assertions.assertEquals(List.of(), List.copyOf(failures).subList(0, 20), "searches failing");
            Thread.sleep(50);
        }
    }
}
