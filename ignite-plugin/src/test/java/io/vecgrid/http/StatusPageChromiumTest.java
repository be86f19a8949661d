package io.vecgrid.http;

import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.ReplicaGroupInfo;
import io.vecgrid.api.ReplicaInfo;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import io.vecgrid.plugin.ClusterSettings;
import org.apache.ignite.Ignite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The status page of a real 3-node cluster, loaded in headless Chromium (Debian's chromium package, installed by
 * scripts/install-chromium.sh, which this test runs): the DOM Chromium renders names the nodes, each collection's
 * replica groups with their shard leaders and the segments each node serves with rows and state, the
 * under-replication warning, the takeovers a slow node caused, and holds the latency chart; a screenshot is kept in
 * target/status-page.png.
 */
class StatusPageChromiumTest {
    private static final int DIM = 8;
    private static TestCluster cluster;
    private static String chromium;

    @BeforeAll
    static void start() throws Exception {
        chromium = installChromium();
        // s2 is slow to search: idle nodes take its queued segments over (takeovers on the page).
        cluster = new TestCluster().http(true).configure(c -> TestCluster.noRewrites(c.setSealRows(100)))
            .configure("s2", c -> TestCluster.noRewrites(c.setSealRows(100).setTestSearchDelayMillis(150)))
            .startServers(3);
    }

    @AfterAll
    static void stop() {
        if (cluster != null)
            cluster.close();
    }

    @Test
    void pageShowsTheClusterInChromium() throws Exception {
        Ignite s0 = cluster.node("s0");
        VectorGrid vg = Vecgrid.of(s0);
        vg.createCollection(CollectionSpec.builder("movies").dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .shards(2).replicas(2).build());
        vg.createCollection(CollectionSpec.builder("books").dimension(DIM).metric(Metric.COSINE).index(IndexSpec.flat())
            .shards(1).replicas(3).build());
        List<VectorRow> rows = TestRows.rows(0, 2000, DIM).stream().map(r -> new VectorRow(r.pk(), r.vector())).toList();
        for (int i = 0; i < rows.size(); i += 500)
            vg.insert("movies", rows.subList(i, i + 500));
        vg.insert("books", rows.subList(0, 150));
        vg.flush("movies");
        vg.flush("books");
        for (String c : new String[] {"movies", "books"}) {
            TestCluster.awaitTrue("every copy of " + c + " serviceable", () -> {
                ReplicaInfo r = vg.replicas(c);
                return !r.underReplicated() && r.groups().stream().allMatch(g -> g.segments().values().stream()
                    .allMatch(l -> l.stream().allMatch(ReplicaGroupInfo.SegmentCopy::serviceable)));
            }, 60_000);
        }
        for (int i = 0; i < 6; i++) {
            TestCluster.awaitTrue("the slow node idle", () -> Vecgrid.local(cluster.node("s2")).metrics().inFlightJobs() == 0, 30_000);
            Vecgrid.of(cluster.node("s1")).search(SearchRequest.builder("movies", new float[][] {TestRows.vector(9000 + i, DIM)}, 10).build());
        }
        // Latency samples are taken every 5 s: wait for one that holds searches.
        TestCluster.awaitTrue("a latency sample with searches", () -> Vecgrid.local(cluster.node("s1")).metrics()
            .latencySeries().stream().anyMatch(s -> s.searches > 0), 30_000);

        String dom = dumpDom(url(s0));
        for (String node : new String[] {"s0", "s1", "s2"})
            assertTrue(dom.contains(cluster.instanceName(node)) || dom.contains(consistentId(node)), "node " + node + " listed");
        assertTrue(dom.contains("id=\"nodes\""), "nodes table");
        assertTrue(dom.contains("id=\"collection-movies\"") && dom.contains("id=\"collection-books\""), "both collections");
        assertTrue(dom.contains("Replica group 0") && dom.contains("Replica group 1"), "movies' two replica groups");
        ReplicaInfo info = vg.replicas("movies");
        for (ReplicaGroupInfo g : info.groups()) {
            for (UUID leader : g.shardLeaders().values())
                assertTrue(dom.contains(nameOf(leader)), "shard leader " + leader + " shown");
        }
        assertTrue(dom.contains("shard 0") && dom.contains("shard 1"), "shard leaders per shard");
        assertTrue(dom.contains("serviceable"), "segment states");
        long segmentRows = info.groups().get(0).segments().values().stream().flatMap(List::stream)
            .mapToLong(ReplicaGroupInfo.SegmentCopy::rows).sum();
        assertEquals(2000, segmentRows, "group 0 holds every row once");
        assertTrue(dom.contains("KiB") || dom.contains("MiB"), "segment memory shown");
        assertTrue(dom.contains("fully replicated"), "replication state");
        assertTrue(dom.contains("No warnings"), "no warning while every copy is there: " + between(dom, "Warnings", "Nodes"));
        assertTrue(dom.contains("<svg id=\"latency\"") && dom.contains("<polyline"), "latency chart drawn");
        long takeovers = 0;
        for (Ignite ig : cluster.servers())
            takeovers += Vecgrid.local(ig).metrics().events().stream().filter(e -> e.kind.equals("takeover")).count();
        if (takeovers > 0)
            assertTrue(dom.contains("took over segment"), "the takeovers listed");
        else
            assertTrue(dom.contains("None since the nodes started"), "no events listed when there were none");
        screenshot(url(s0), new File("target/status-page.png"));

        // A node leaves: books (replica number 3 over 3 nodes) has a group without a node, under-replicated.
        cluster.stop("s2");
        TestCluster.awaitTrue("books under-replicated", () -> vg.replicas("books").underReplicated(), 60_000);
        String after = dumpDom(url(s0));
        assertTrue(after.contains("Collection 'books' is under-replicated") && after.contains("no live node in this group"),
            "under-replication warning: " + between(after, "Warnings", "Nodes"));
        screenshot(url(s0), new File("target/status-page-under-replicated.png"));
    }

    private static String consistentId(String node) {
        return String.valueOf(cluster.node(node).cluster().localNode().consistentId());
    }

    private static String nameOf(UUID id) {
        return String.valueOf(cluster.node("s0").cluster().node(id).consistentId());
    }

    private static String between(String s, String a, String b) {
        int i = s.indexOf(a);
        int j = i < 0 ? -1 : s.indexOf(b, i);
        return i < 0 || j < 0 ? s : s.substring(i, j);
    }

    private static String url(Ignite ig) {
        return ig.cluster().localNode().attribute(ClusterSettings.HTTP_ATTR);
    }

    /** Runs scripts/install-chromium.sh. @return the browser's path. */
    private static String installChromium() throws Exception {
        File script = new File("../scripts/install-chromium.sh");
        assertTrue(script.isFile(), "scripts/install-chromium.sh at " + script.getAbsolutePath());
        Process p = new ProcessBuilder("bash", script.getPath()).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.MINUTES) || p.exitValue() != 0)
            throw new AssertionError("Chromium is needed to test the status page and could not be installed by " +
                "scripts/install-chromium.sh (exit " + p.exitValue() + "): " + err + out);
        String[] lines = out.split("\n");
        return lines[lines.length - 1].trim();
    }

    private static List<String> browser(String... args) {
        List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars", "--user-data-dir=" +
                new File("target/chromium-profile").getAbsolutePath()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static String dumpDom(String url) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(browser("--dump-dom", url)).redirectError(new File("target/chromium-dump.log")).start();
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium --dump-dom finished");
        assertEquals(0, p.exitValue(), "chromium --dump-dom: " + Files.readString(Path.of("target/chromium-dump.log")));
        assertTrue(dom.contains("<h1>vecgrid</h1>"), "the page rendered: " + dom);
        return dom;
    }

    private static void screenshot(String url, File png) throws IOException, InterruptedException {
        png.delete();
        Process p = new ProcessBuilder(browser("--window-size=1280,1800", "--screenshot=" + png.getAbsolutePath(), url))
            .redirectErrorStream(true).redirectOutput(new File("target/chromium-screenshot.log")).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium --screenshot finished");
        assertTrue(png.isFile() && png.length() > 10_000, "screenshot " + png + " written: " +
            Files.readString(Path.of("target/chromium-screenshot.log")));
    }
}
