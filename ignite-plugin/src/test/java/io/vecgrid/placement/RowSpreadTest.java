package io.vecgrid.placement;

import io.vecgrid.LayoutInvariants;
import io.vecgrid.Oracle;
import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.CollectionTarget;
import io.vecgrid.collection.SegmentRef;
import org.apache.ignite.Ignite;
import org.apache.ignite.cache.affinity.Affinity;
import org.apache.ignite.cluster.ClusterNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A collection's rows spread over every node, not only over the owners of its shards. Six in-JVM nodes, replicaNumber
 * 2 (two replica groups of three), a FLAT collection of 8 shards and 48,000 rows of 128 dimensions sealed in segments
 * of 1,000 rows (about 0.5 MiB each: not small, so compaction leaves them, and each shard ends with six); the
 * coordinator balances as it does in production (balanceTolerance 0.25). Once the layout is quiet, inside each replica
 * group:
 * <ul>
 *   <li>location entries (the locations cache, primary and backup): each node holds within <b>±10%</b> of its group's
 *   mean. They are placed by a hash of the primary key over 256 partitions, which the affinity function splits 85/85/86
 *   inside a group; with about 190 keys per partition the hash adds under 1% of noise per node, so ±10% holds
 *   with a wide margin while any node left out of the spread (-100%) or holding a shard's share (8 shards over 3
 *   nodes: 3/3/2) would fail;</li>
 *   <li>segment copies (rows of the served segments whose slot the node owns): each node within <b>±35%</b> of its
 *   group's mean: the balancer acts only on gaps above 25% of the mean, and a segment is about 6% of a node's mean
 *   (1,000 of some 16,000 rows), so a balanced layout may sit up to about 31% from the mean;</li>
 *   <li>every node serves segments: its serviceable copies are exactly the segments whose slot it owns;</li>
 *   <li>each group holds every location entry and every sealed row exactly once.</li>
 * </ul>
 * Prints the distribution. The data stays exact: count, searches against the oracle.
 */
class RowSpreadTest {
    private static final int DIM = 128;
    private static final int ROWS = 48_000;
    private static final int SHARDS = 8;
    private static final double LOC_TOLERANCE = 0.10;
    private static final double SEGMENT_TOLERANCE = 0.35;
    private static TestCluster cluster;
    private static Ignite client;

    @BeforeAll
    static void start() {
        cluster = new TestCluster().configure(c -> c.setSealRows(1000).setSegmentMaxBytes(1L << 20))
            .regionBytes(128L << 20).startServers(6);
        client = cluster.startClient("c");
    }

    @AfterAll
    static void stop() {
        if (cluster != null)
            cluster.close();
    }

    @Test
    void locationsAndSegmentCopiesSpreadOverEveryNodeOfEveryGroup() {
        String name = "spread";
        VectorGrid vg = Vecgrid.of(client);
        vg.createCollection(CollectionSpec.builder(name).dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .shards(SHARDS).replicas(2).build());
        Map<Long, float[]> all = new HashMap<>();
        for (long from = 0; from < ROWS; from += 2000) {
            List<VectorRow> batch = new ArrayList<>();
            for (long pk = from; pk < from + 2000; pk++)
                batch.add(new VectorRow(pk, TestRows.vector(pk, DIM)));
            vg.insert(name, batch);
            batch.forEach(r -> all.put(r.pk(), r.vector()));
        }
        vg.flush(name);
        CollectionMeta meta = Vecgrid.local(client).metaStore().meta(name);
        for (String cache : List.of(meta.rowsCache(), meta.locsCache(), meta.segmentsCache()))
            cluster.awaitCopies(cache, 2);
        LayoutInvariants.awaitQuiet(client, name, 4_000, 180_000);
        // Every node has loaded the copies of the slots it owns (loads are asynchronous).
        TestCluster.awaitTrue("every owner serves every segment copy it holds", () -> heldEqualsServed(meta), 60_000);

        Ignite any = cluster.any();
        CollectionTarget target = Vecgrid.local(client).metaStore().target(meta);
        ReplicaGroups groups = CacheReplicaGroups.of(any, meta.locsCache());
        ReplicaGroups segGroups = CacheReplicaGroups.of(any, meta.segmentsCache());
        Affinity<Object> segAff = any.affinity(meta.segmentsCache());
        Map<UUID, Long> locs = new HashMap<>();
        Map<UUID, Long> segRows = new HashMap<>();
        Map<UUID, Integer> segCopies = new HashMap<>();
        Map<UUID, Integer> served = new HashMap<>();
        Map<UUID, Long> growing = new HashMap<>();
        Map<UUID, String> names = new HashMap<>();
        long sealed = 0;
        for (SegmentRef s : target.segments()) {
            sealed += s.rows();
            for (ClusterNode n : segAff.mapPartitionToPrimaryAndBackups(s.slot())) {
                segRows.merge(n.id(), (long)s.rows(), Long::sum);
                segCopies.merge(n.id(), 1, Integer::sum);
            }
        }
        for (Ignite ig : cluster.servers()) {
            UUID id = ig.cluster().localNode().id();
            names.put(id, ig.name().substring(ig.name().lastIndexOf('-') + 1));
            locs.put(id, TestCluster.localSize(ig, meta.locsCache()));
            growing.put(id, TestCluster.localSize(ig, meta.rowsCache()));
            served.put(id, Vecgrid.local(ig).segments().serviceable(meta).size());
        }
        int[] perShard = new int[SHARDS];
        for (SegmentRef s : target.segments())
            perShard[s.shard()]++;

        StringBuilder out = new StringBuilder(String.format("[spread] %d rows, %d shards, %d segments (per shard %s), " +
            "%d sealed rows, %d growing%n", ROWS, SHARDS, target.segments().size(), java.util.Arrays.toString(perShard),
            sealed, ROWS - sealed));
        List<String> bad = new ArrayList<>();
        for (int g = 0; g < 2; g++) {
            List<ClusterNode> nodes = groups.nodes(g);
            assertEquals(3, nodes.size(), "group " + g + " of the locations cache: " + nodes);
            assertEquals(new HashSet<>(ids(nodes)), new HashSet<>(ids(segGroups.nodes(segGroups.groupOf(nodes.get(0))))),
                "the segments cache has the same groups");
            double locMean = nodes.stream().mapToLong(n -> locs.getOrDefault(n.id(), 0L)).sum() / 3.0;
            double segMean = nodes.stream().mapToLong(n -> segRows.getOrDefault(n.id(), 0L)).sum() / 3.0;
            assertEquals(ROWS, Math.round(locMean * 3), "group " + g + " holds every location entry once");
            assertEquals(sealed, Math.round(segMean * 3), "group " + g + " holds every sealed row once");
            for (ClusterNode n : nodes) {
                long l = locs.getOrDefault(n.id(), 0L);
                long r = segRows.getOrDefault(n.id(), 0L);
                double dl = (l - locMean) / locMean;
                double dr = (r - segMean) / segMean;
                out.append(String.format("[spread] group %d node %s: %6d location entries (%+5.1f%% of the group mean), " +
                        "%2d segment copies with %6d rows (%+5.1f%%), %2d serviceable, %5d growing entries%n", g,
                    names.get(n.id()), l, 100 * dl, segCopies.getOrDefault(n.id(), 0), r, 100 * dr,
                    served.getOrDefault(n.id(), 0), growing.getOrDefault(n.id(), 0L)));
                if (Math.abs(dl) > LOC_TOLERANCE)
                    bad.add("node " + names.get(n.id()) + " holds " + l + " location entries, " + (int)(100 * dl) + "% off");
                if (Math.abs(dr) > SEGMENT_TOLERANCE)
                    bad.add("node " + names.get(n.id()) + " holds " + r + " sealed rows, " + (int)(100 * dr) + "% off");
                if (served.getOrDefault(n.id(), 0) == 0)
                    bad.add("node " + names.get(n.id()) + " serves no segment");
            }
        }
        System.out.print(out);
        assertEquals(List.of(), bad);

        assertEquals(ROWS, vg.count(name));
        Oracle oracle = new Oracle(Metric.L2, all);
        for (int i = 0; i < 5; i++) {
            float[] q = TestRows.vector(3_000_000 + i * 17L, DIM);
            oracle.assertExact(q, 10, vg.search(SearchRequest.builder(name, new float[][] {q}, 10).build()).hits(0),
                null, "search " + i);
        }
    }

    private static List<UUID> ids(List<ClusterNode> nodes) {
        List<UUID> res = new ArrayList<>();
        nodes.forEach(n -> res.add(n.id()));
        return res;
    }

    /** @return whether every server serves exactly the target's segments whose slot it owns. */
    private static boolean heldEqualsServed(CollectionMeta meta) {
        CollectionTarget target = Vecgrid.local(client).metaStore().target(meta);
        for (Ignite ig : cluster.servers()) {
            Set<Long> held = new HashSet<>();
            ClusterNode local = ig.cluster().localNode();
            for (SegmentRef s : target.segments()) {
                if (ig.affinity(meta.segmentsCache()).mapPartitionToPrimaryAndBackups(s.slot()).contains(local))
                    held.add(s.id());
            }
            Set<Long> serving = new HashSet<>(Vecgrid.local(ig).segments().serviceable(meta));
            serving.retainAll(target.segmentIds());
            if (!serving.equals(held))
                return false;
        }
        return true;
    }
}
