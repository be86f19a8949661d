package io.vecgrid.metrics;

import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.VecgridException;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.plugin.ClusterSettings;
import org.apache.ignite.Ignite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each node serves its metrics in Prometheus text format at /metrics: a real node's page is fetched over HTTP and
 * parsed, holds vecgrid's and Ignite's metrics, and its values move after writes, a seal and searches. Bad HTTP
 * settings fail the node start with a message naming the property or port.
 */
class MetricsPageTest {
    private static final int DIM = 8;
    /** A sample line: name, optional labels, value. */
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)$");

    private static TestCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new TestCluster().http(true).configure(c -> TestCluster.noRewrites(c.setSealRows(100))).startServers(2);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void eachNodeServesItsOwnPortAndPublishesTheUrl() {
        String u0 = cluster.node("s0").cluster().localNode().attribute(ClusterSettings.HTTP_ATTR);
        String u1 = cluster.node("s1").cluster().localNode().attribute(ClusterSettings.HTTP_ATTR);
        assertEquals("http://localhost:" + cluster.httpPort() + "/", u0);
        assertEquals("http://localhost:" + (cluster.httpPort() + 1) + "/", u1);
    }

    @Test
    void metricsPageHasVecgridAndIgniteMetricsThatMoveWithWork() throws Exception {
        Ignite s0 = cluster.node("s0");
        VectorGrid vg = Vecgrid.of(s0);
        vg.createCollection(CollectionSpec.builder("prom").dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .shards(2).replicas(1).build());

        Map<String, Double> before = scrape(s0);
        // Kept for whoever reads the test output: what a scrape of a real node returns.
        java.nio.file.Files.writeString(java.nio.file.Path.of("target", "metrics-sample.txt"),
            String.join("\n", new java.util.TreeSet<>(before.keySet())));
        assertTrue(before.keySet().stream().anyMatch(k -> k.startsWith("ignite_")), "Ignite's metrics: " + before.keySet());
        assertTrue(before.containsKey("ignite_sys_current_thread_cpu_time") || before.keySet().stream()
            .anyMatch(k -> k.startsWith("ignite_sys_")), "Ignite's JVM metrics (sys registry)");
        assertTrue(before.keySet().stream().anyMatch(k -> k.startsWith("ignite_io_dataregion_") && k.contains("region=\"default\"")),
            "data region metrics labelled by region: " + before.keySet());
        for (String name : new String[] {"vecgrid_searches_total", "vecgrid_writes_total", "vecgrid_write_rows_total",
            "vecgrid_write_failures_total", "vecgrid_seals_total", "vecgrid_seal_millis_total", "vecgrid_seal_failures_total",
            "vecgrid_merges_total", "vecgrid_merge_failures_total", "vecgrid_merge_rows_total", "vecgrid_merge_graph_rows_total", "vecgrid_moves_total", "vecgrid_move_failures_total",
            "vecgrid_loading_segments", "vecgrid_loaded_segments", "vecgrid_growing_rows",
            "vecgrid_search_latency_ms_count", "vecgrid_write_latency_ms_count"})
            assertTrue(before.containsKey(name), name + " on the page: " + vecgridNames(before));
        assertTrue(before.containsKey("vecgrid_search_latency_ms_bucket{le=\"+Inf\"}"), vecgridNames(before));
        assertEquals(0, before.get("vecgrid_write_failures_total"));
        TestCluster.awaitTrue("the collection's gauges on the page", () -> scrape(s0).containsKey(
            "vecgrid_collection_rows{collection=\"prom\"}"), 30_000);

        vg.insert("prom", rows(0, 60, DIM));
        Map<String, Double> afterWrite = scrape(s0);
        assertEquals(before.get("vecgrid_writes_total") + 1, afterWrite.get("vecgrid_writes_total"));
        assertEquals(before.get("vecgrid_write_rows_total") + 60, afterWrite.get("vecgrid_write_rows_total"));
        assertEquals(before.get("vecgrid_write_latency_ms_count") + 1, afterWrite.get("vecgrid_write_latency_ms_count"));
        // Growing rows per shard, on the shards' primaries: over both nodes, the 60 rows.
        TestCluster.awaitTrue("60 growing rows over the shards", () -> growingOverShards() == 60, 30_000);

        // A bad write counts as a failure.
        assertThrows(VecgridException.class, () -> vg.insert("prom", rows(0, 1, DIM + 1)));
        assertEquals(1, scrape(s0).get("vecgrid_write_failures_total"));

        vg.flush("prom");
        TestCluster.awaitTrue("sealed rows in the collection's gauges", () -> sum("vecgrid_collection_rows{collection=\"prom\"}") == 60 &&
            sum("vecgrid_collection_segments{collection=\"prom\"}") >= 2 &&
            sum("vecgrid_collection_memory_bytes{collection=\"prom\"}") > 0, 30_000);
        assertTrue(sum("vecgrid_seals_total") >= 2, "both shards sealed");
        assertEquals(0, growingOverShards());

        for (int i = 0; i < 3; i++)
            vg.search(SearchRequest.builder("prom", new float[][] {TestRows.vector(1000 + i, DIM)}, 5).build());
        Map<String, Double> afterSearch = scrape(s0);
        assertEquals(before.get("vecgrid_searches_total") + 3, afterSearch.get("vecgrid_searches_total"));
        assertEquals(before.get("vecgrid_search_latency_ms_count") + 3, afterSearch.get("vecgrid_search_latency_ms_count"));
        assertEquals(afterSearch.get("vecgrid_search_latency_ms_count"),
            afterSearch.get("vecgrid_search_latency_ms_bucket{le=\"+Inf\"}"), "cumulative buckets end at the count");
        assertNotEquals(before.get("vecgrid_search_latency_ms_sum"), null);

        // A dropped collection's gauges leave the page.
        vg.dropCollection("prom");
        TestCluster.awaitTrue("the dropped collection's gauges gone", () -> scrape(s0).keySet().stream()
            .noneMatch(k -> k.contains("collection=\"prom\"")), 30_000);
    }

    @Test
    void thePageIsReadOnly() throws Exception {
        HttpURLConnection c = (HttpURLConnection)new URL(url(cluster.node("s1")) + "metrics").openConnection();
        c.setRequestMethod("POST");
        assertEquals(405, c.getResponseCode());
        HttpURLConnection missing = (HttpURLConnection)new URL(url(cluster.node("s1")) + "nothing").openConnection();
        assertEquals(404, missing.getResponseCode());
    }

    @Test
    void aTakenPortFailsTheStartNamingIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0); TestCluster other = new TestCluster()) {
            int port = taken.getLocalPort();
            other.configure(c -> c.setHttpPort(port).setHttpPortRange(1));
            Exception e = assertThrows(Exception.class, () -> other.start("bad"));
            assertTrue(messages(e).contains("no free port for the node's HTTP page (metrics, status) in port " + port),
                messages(e));
        }
    }

    @Test
    void aBadHttpPortFailsTheStartNamingTheProperty() {
        try (TestCluster other = new TestCluster()) {
            other.configure(c -> c.setHttpPort(70_000));
            Exception e = assertThrows(Exception.class, () -> other.start("bad"));
            assertTrue(messages(e).contains("vecgrid configuration: httpPort must be in [-1, 65535], got 70000"), messages(e));
        }
    }

    @Test
    void aBadHttpPortRangeFailsTheStartNamingTheProperty() {
        try (TestCluster other = new TestCluster()) {
            other.configure(c -> c.setHttpPort(8095).setHttpPortRange(0));
            Exception e = assertThrows(Exception.class, () -> other.start("bad"));
            assertTrue(messages(e).contains("vecgrid configuration: httpPortRange must be in [1, 1000], got 0"), messages(e));
        }
    }

    @Test
    void anUnknownHttpHostFailsTheStartNamingTheProperty() {
        try (TestCluster other = new TestCluster()) {
            other.configure(c -> c.setHttpPort(other.httpPort()).setHttpHost("no-such-host.invalid"));
            Exception e = assertThrows(Exception.class, () -> other.start("bad"));
            assertTrue(messages(e).contains("vecgrid configuration: httpHost 'no-such-host.invalid' is not a known address"),
                messages(e));
        }
    }

    private static java.util.List<io.vecgrid.api.VectorRow> rows(long from, int n, int dim) {
        return TestRows.rows(from, n, dim).stream().map(r -> new io.vecgrid.api.VectorRow(r.pk(), r.vector())).toList();
    }

    private static double growingOverShards() {
        return sum("vecgrid_shard_growing_rows{collection=\"prom\",shard=\"0\"}") +
            sum("vecgrid_shard_growing_rows{collection=\"prom\",shard=\"1\"}");
    }

    /** @return the sample summed over both nodes' pages (0 where absent). */
    private static double sum(String sample) {
        double n = 0;
        for (Ignite ig : cluster.servers())
            n += scrape(ig).getOrDefault(sample, 0.0);
        return n;
    }

    private static String url(Ignite ig) {
        return ig.cluster().localNode().attribute(ClusterSettings.HTTP_ATTR);
    }

    /** @return the node's /metrics page, parsed: sample (name and labels as written) to value. */
    static Map<String, Double> scrape(Ignite ig) {
        try {
            HttpURLConnection c = (HttpURLConnection)new URL(url(ig) + "metrics").openConnection();
            assertEquals(200, c.getResponseCode());
            assertTrue(c.getContentType().startsWith("text/plain"), c.getContentType());
            String body = new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, Double> res = new HashMap<>();
            for (String line : body.split("\n")) {
                if (line.isEmpty() || line.startsWith("#"))
                    continue;
                Matcher m = SAMPLE.matcher(line);
                assertTrue(m.matches(), "a sample line: " + line);
                String key = m.group(1) + (m.group(2) == null ? "" : m.group(2));
                assertTrue(res.put(key, Double.parseDouble(m.group(3))) == null, "one sample per name and labels: " + line);
            }
            return res;
        }
        catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String vecgridNames(Map<String, Double> page) {
        return page.keySet().stream().filter(k -> k.startsWith("vecgrid")).sorted().toList().toString();
    }

    private static String messages(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause())
            b.append(t.getMessage()).append(" | ");
        return b.toString();
    }
}
