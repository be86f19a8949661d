package io.vecgrid.sql;

import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionDescription;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.ReplicaGroupInfo;
import io.vecgrid.api.ReplicaInfo;
import io.vecgrid.api.VectorRow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code SYS.VECGRID_COLLECTIONS}, {@code SYS.VECGRID_REPLICAS} and {@code SYS.VECGRID_SEGMENTS} over JDBC from every
 * node of three, compared with the API's {@code describeCollection} and {@code replicas()} (two collections, one with
 * two replicas, sealed segments and growing rows).
 */
class SqlViewsTest {
    private static SqlCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new SqlCluster(3);
        Vecgrid vg = Vecgrid.local(cluster.node(0));
        vg.createCollection(CollectionSpec.builder("views_a").dimension(3).index(IndexSpec.flat()).shards(2).replicas(2).build());
        vg.createCollection(CollectionSpec.builder("views_b").dimension(2).metric(Metric.COSINE).index(IndexSpec.hnsw())
            .shards(1).build());
        Random rnd = new Random(3);
        List<VectorRow> a = new ArrayList<>();
        for (long pk = 0; pk < 50; pk++)
            a.add(new VectorRow(pk, new float[] {rnd.nextFloat(), rnd.nextFloat(), rnd.nextFloat()}));
        vg.insert("views_a", a);
        vg.flush("views_a");
        vg.insert("views_a", List.of(new VectorRow(100, new float[] {1, 2, 3})));
        vg.insert("views_b", List.of(new VectorRow(1, new float[] {1, 2})));
    }

    @AfterAll
    static void stop() {
        if (cluster != null)
            cluster.close();
    }

    @Test
    void collectionsViewMatchesDescribe() throws SQLException {
        Vecgrid vg = Vecgrid.local(cluster.node(0));
        for (int node = 0; node < 3; node++) {
            List<String> rows = query(node, "SELECT NAME, STATE, DIMENSION, METRIC, INDEX_TYPE, SHARDS, REPLICA_NUMBER, " +
                "ROWS, SEGMENTS, UNDER_REPLICATED FROM SYS.VECGRID_COLLECTIONS ORDER BY NAME");
            List<String> expected = new ArrayList<>();
            for (String name : List.of("views_a", "views_b")) {
                CollectionDescription d = vg.describeCollection(name);
                expected.add(String.join("|", name, d.state().name(), "" + d.spec().dimension(), d.spec().metric().name(),
                    d.spec().index().type().name(), "" + d.spec().shards(), "" + d.spec().replicas(), "" + d.rowCount(),
                    "" + d.segmentCount(), "" + d.underReplicated()));
            }
            assertEquals(expected, rows, "node " + node);
        }
        assertEquals(List.of("views_a|51", "views_b|1"), query(0, "SELECT NAME, ROWS FROM SYS.VECGRID_COLLECTIONS ORDER BY NAME"));
    }

    @Test
    void replicasAndSegmentsViewsMatchTheApi() throws SQLException {
        Vecgrid vg = Vecgrid.local(cluster.node(1));
        for (int node = 0; node < 3; node++) {
            ReplicaInfo info = vg.replicas("views_a");
            List<String> replicas = new ArrayList<>();
            List<String> segments = new ArrayList<>();
            for (ReplicaGroupInfo g : info.groups()) {
                for (UUID n : g.nodes()) {
                    List<ReplicaGroupInfo.SegmentCopy> copies = g.segments().getOrDefault(n, List.of());
                    String led = g.shardLeaders().entrySet().stream().filter(e -> n.equals(e.getValue()))
                        .map(e -> e.getKey()).sorted().map(String::valueOf).collect(Collectors.joining(","));
                    replicas.add(String.join("|", "" + g.id(), n.toString(), led, "" + copies.size(),
                        "" + copies.stream().mapToLong(ReplicaGroupInfo.SegmentCopy::rows).sum(),
                        "" + copies.stream().allMatch(ReplicaGroupInfo.SegmentCopy::serviceable)));
                }
                for (Map.Entry<UUID, List<ReplicaGroupInfo.SegmentCopy>> e : g.segments().entrySet()) {
                    for (ReplicaGroupInfo.SegmentCopy c : e.getValue())
                        segments.add(String.join("|", "" + c.segmentId(), "" + c.shard(), "" + c.rows(), "" + g.id(),
                            e.getKey().toString(), "" + c.serviceable()));
                }
            }
            assertEquals(2, info.groups().size(), "two replica groups");
            assertTrue(!segments.isEmpty(), "sealed segments");
            assertEquals(new TreeSet<>(replicas), new TreeSet<>(query(node, "SELECT REPLICA_GROUP, NODE_ID, " +
                "LEADER_OF_SHARDS, SEGMENTS, ROWS, SERVICEABLE FROM SYS.VECGRID_REPLICAS WHERE COLLECTION = 'views_a'")),
                "node " + node);
            assertEquals(new TreeSet<>(segments), new TreeSet<>(query(node, "SELECT SEGMENT_ID, SHARD, ROWS, " +
                "REPLICA_GROUP, NODE_ID, SERVICEABLE FROM SYS.VECGRID_SEGMENTS WHERE COLLECTION = 'views_a'")), "node " + node);
            // Every sealed row is served once per replica group.
            assertEquals(List.of("100"), query(node, "SELECT SUM(ROWS) FROM SYS.VECGRID_SEGMENTS WHERE COLLECTION = 'views_a'"));
        }
    }

    /** @return each row's columns joined by '|', through node {@code node}'s JDBC port. */
    private static List<String> query(int node, String sql) throws SQLException {
        List<String> res = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(cluster.url(node)); Statement st = c.createStatement();
             ResultSet r = st.executeQuery(sql)) {
            int n = r.getMetaData().getColumnCount();
            while (r.next()) {
                List<String> cols = new ArrayList<>();
                for (int i = 1; i <= n; i++)
                    cols.add(String.valueOf(r.getObject(i)));
                res.add(String.join("|", cols));
            }
        }
        return res;
    }
}
