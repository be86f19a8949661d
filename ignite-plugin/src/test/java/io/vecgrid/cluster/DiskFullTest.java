package io.vecgrid.cluster;

import io.vecgrid.Oracle;
import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.DiskSpaceException;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteState;
import org.apache.ignite.Ignition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A node whose disk fills up. Node s1's work directory is a size-limited tmpfs the test mounts (the test runs as
 * root, as CI does here; without root it cannot make a small filesystem and says so, then checks the refusal with a
 * free-space floor above the real free space instead). Inserts go on until the disk is short: the next insert is
 * refused with {@link DiskSpaceException} naming s1 and its directory, nothing of it written, the node keeps
 * running, every acknowledged row is still there and searches are exact; deletes are still accepted.
 */
class DiskFullTest {
    private static final int DIM = 64;
    private static final long TMPFS_BYTES = 160L << 20;
    private static final long MIN_FREE = 56L << 20;

    private static File root;
    private static File mounted;
    private static TestCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        root = Files.createTempDirectory("vecgrid-diskfull").toFile();
        File s1 = new File(root, "s1");
        assertTrue(s1.mkdirs());
        boolean small = mount(s1);
        mounted = small ? s1 : null;
        long floor = small ? MIN_FREE : Files.getFileStore(root.toPath()).getUsableSpace() + (1L << 30);
        System.out.println("[disk] " + (small ? "s1 on a " + (TMPFS_BYTES >> 20) + " MB tmpfs, minFreeDiskBytes " +
            (MIN_FREE >> 20) + " MB" : "cannot mount a small filesystem (not root): minFreeDiskBytes above the free space"));
        cluster = new TestCluster().persistent(root).configure(c -> TestCluster.noRewrites(c.setMinFreeDiskBytes(floor)
            .setSealRows(1_000_000))).startServers(2);
    }

    private static boolean mount(File dir) {
        try {
            Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + TMPFS_BYTES, "tmpfs", dir.getPath())
                .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                System.out.println("[disk] mount failed: " + out.trim());
                return false;
            }
            return true;
        }
        catch (Exception e) {
            System.out.println("[disk] mount failed: " + e);
            return false;
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null)
            cluster.close();
        if (mounted != null)
            new ProcessBuilder("umount", mounted.getPath()).inheritIO().start().waitFor();
        TestCluster.deleteTree(root);
    }

    @Test
    void insertsAreRefusedBeforeTheDiskFillsAndNothingAcknowledgedIsLost() {
        VectorGrid vg = Vecgrid.of(cluster.node("s0"));
        vg.createCollection(CollectionSpec.builder("full").dimension(DIM).metric(Metric.L2).index(IndexSpec.flat())
            .shards(2).replicas(2).build());
        Map<Long, float[]> acked = new HashMap<>();
        DiskSpaceException refused = null;
        long pk = 0;
        for (int batch = 0; batch < 2_000 && refused == null; batch++) {
            List<VectorRow> rows = TestRows.rows(pk, 500, DIM).stream().map(r -> new VectorRow(r.pk(), r.vector())).toList();
            try {
                vg.insert("full", rows);
                rows.forEach(r -> acked.put(r.pk(), r.vector()));
                pk += 500;
            }
            catch (DiskSpaceException e) {
                refused = e;
            }
        }
        if (refused == null)
            fail("no insert was refused after " + acked.size() + " rows");
        System.out.println("[disk] refused after " + acked.size() + " acknowledged rows: " + refused.getMessage());
        assertTrue(refused.getMessage().contains("s1") && refused.getMessage().contains(new File(root, "s1").getPath()),
            "the message names the node and its directory: " + refused.getMessage());
        for (Ignite ig : cluster.servers())
            assertEquals(IgniteState.STARTED, Ignition.state(ig.name()), ig.name() + " still runs");

        // Nothing of the refused batch, everything acknowledged.
        assertEquals(acked.size(), vg.count("full"));
        assertEquals(0, vg.get("full", TestRows.pks(pk, 500), List.of()).size(), "the refused batch left nothing");
        long[] all = acked.keySet().stream().mapToLong(Long::longValue).toArray();
        int found = 0;
        for (int i = 0; i < all.length; i += 5_000)
            found += vg.get("full", Arrays.copyOfRange(all, i, Math.min(all.length, i + 5_000)), List.of()).size();
        assertEquals(acked.size(), found);
        Oracle oracle = new Oracle(Metric.L2, acked);
        for (int q = 0; q < 10; q++) {
            float[] query = TestRows.vector(9_000_000 + q, DIM);
            oracle.assertExact(query, 10, vg.search(SearchRequest.builder("full", new float[][] {query}, 10).build()).hits(0),
                null, "query " + q);
        }
        // Deletes are still accepted (they are how space is given back).
        assertEquals(100, vg.delete("full", TestRows.pks(0, 100)));
        assertEquals(acked.size() - 100, vg.count("full"));
    }
}
