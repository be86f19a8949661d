package io.vecgrid.cli;

import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.BackupExistsException;
import io.vecgrid.api.BackupInfo;
import io.vecgrid.api.BackupNotFoundException;
import io.vecgrid.api.CollectionDescription;
import io.vecgrid.api.CollectionExistsException;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.VecgridException;
import io.vecgrid.backup.Backups;
import io.vecgrid.client.VecgridClient;
import io.vecgrid.collection.CollectionMeta;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code vecgrid backup create|list|restore} run in-process through the CLI's picocli entry point against two
 * persistent nodes, over the thin client as a shell would: output, {@code list --json} parsed back, exit codes of
 * every refusal (1) and of an unreachable cluster (2), and a drop then restore that brings the rows back. The thin
 * client's own backup methods are checked alongside: same results, and every error with the server API's type and
 * message.
 */
class BackupCliTest {
    private static File root;
    private static TestCluster cluster;
    private static String hosts;
    private static VecgridClient vg;

    @BeforeAll
    static void start() throws IOException {
        root = Files.createTempDirectory("vecgrid-backup-cli").toFile();
        cluster = new TestCluster().persistent(root).startServers(2);
        hosts = "127.0.0.1:" + cluster.clientPort() + ".." + (cluster.clientPort() + 1);
        vg = VecgridClient.connect(hosts);
    }

    @AfterAll
    static void stop() {
        if (vg != null)
            vg.close();
        if (cluster != null)
            cluster.close();
        TestCluster.deleteTree(root);
    }

    private static CliRun cli(String... args) {
        return CliRun.onHosts(hosts, args);
    }

    private static CliRun ok(String... args) {
        return CliRun.ok(hosts, args);
    }

    private static CliRun failing(int code, String msg, String... args) {
        return CliRun.fails(hosts, code, msg, args);
    }

    private static Map<String, Object> json(CliRun r) {
        return r.json();
    }

    @Test
    @SuppressWarnings("unchecked")
    void createListRestore() {
        ok("create", "docs", "--dim", "8", "--metric", "L2", "--index", "FLAT", "--shards", "2", "--replicas", "2",
            "--field", "tag:LONG,name:STRING");
        vg.insert("docs", TestRows.rows(0, 700, 8));
        vg.flush("docs");
        vg.insert("docs", TestRows.rows(700, 50, 8));

        CliRun created = ok("backup", "create", "nightly_1");
        assertTrue(created.out.startsWith("backup 'nightly_1' taken at "), created.toString());
        // The other test's collection may be there too (test order is not fixed).
        assertTrue(created.out.contains("on 2 server node(s): ") && created.out.contains("docs"), created.toString());

        Map<String, Object> doc = json(ok("backup", "list", "--json"));
        Map<String, Object> b = null;
        for (Object o : (List<Object>)doc.get("backups")) {
            if ("nightly_1".equals(((Map<String, Object>)o).get("name")))
                b = (Map<String, Object>)o;
        }
        assertTrue(b != null, doc.toString());
        assertTrue(((String)b.get("takenAt")).endsWith("Z"), String.valueOf(b.get("takenAt")));
        assertEquals(Boolean.TRUE, b.get("manifest"));
        assertEquals(2, ((List<Object>)b.get("nodes")).size());
        Map<String, Object> c = null;
        for (Object o : (List<Object>)b.get("collections")) {
            if ("docs".equals(((Map<String, Object>)o).get("name")))
                c = (Map<String, Object>)o;
        }
        assertTrue(c != null, b.toString());
        assertEquals((long)CollectionMeta.LAYOUT, c.get("layout"));
        assertEquals(8L, c.get("dimension"));
        assertEquals("L2", c.get("metric"));
        assertEquals("FLAT", c.get("index"));
        assertEquals(2L, c.get("shards"));
        assertEquals(2L, c.get("replicaNumber"));
        assertEquals(Boolean.TRUE, c.get("restorable"));
        assertNull(c.get("problem"));
        assertTrue(doc.containsKey("backups") && c.containsKey("problem"), "null fields are written");

        CliRun text = ok("backup", "list");
        assertTrue(text.out.contains("nightly_1  taken "), text.toString());
        assertTrue(text.out.contains("docs") && text.out.contains("layout " + CollectionMeta.LAYOUT) &&
            text.out.contains("dim 8  L2  FLAT  2 shard(s)  2 replica(s)"), text.toString());

        // The thin client lists the same.
        BackupInfo listed = null;
        for (BackupInfo i : vg.backupList()) {
            if (i.name().equals("nightly_1"))
                listed = i;
        }
        assertTrue(listed != null);
        assertEquals(CollectionMeta.LAYOUT, listed.collection("docs").layout());
        assertEquals(2, listed.nodes().size());

        // Refusals: exit code 1, the server's message.
        failing(1, "vecgrid: backup 'nightly_1' already exists; choose another name", "backup", "create", "nightly_1");
        failing(1, "vecgrid: bad backup name 'night-1'", "backup", "create", "night-1");
        failing(1, "vecgrid: backup 'nope' does not exist on any server node", "backup", "restore", "nope");
        failing(1, "vecgrid: collection 'docs' already exists: drop it first ('vecgrid drop docs') to restore it from " +
            "backup 'nightly_1'. Nothing was restored", "backup", "restore", "nightly_1", "--collection", "docs");
        failing(1, "already exists: drop it first", "backup", "restore", "nightly_1");
        failing(1, "vecgrid: backup 'nightly_1' holds no collection 'other'; it holds ", "backup", "restore",
            "nightly_1", "--collection", "other");
        failing(1, "backup needs a command", "backup");
        failing(1, "Missing required parameter: 'NAME'", "backup", "create");

        ok("drop", "docs", "--yes");
        CliRun restored = ok("backup", "restore", "nightly_1", "--collection", "docs");
        assertEquals("restored 'docs' from backup 'nightly_1': 750 rows, " + vg.describeCollection("docs").segmentCount() +
            " sealed segment(s), 2 replica(s)\n", restored.out);
        assertEquals(750, vg.count("docs"));
        assertEquals(5, vg.search("docs", new float[][] {TestRows.vector(3, 8)}, 5).hits(0).size());
    }

    @Test
    void theThinClientCarriesEveryBackupErrorAsTheServerThrowsIt() {
        vg.createCollection(io.vecgrid.api.CollectionSpec.builder("kept").dimension(4)
            .metric(io.vecgrid.api.Metric.L2).scalarField("tag", io.vecgrid.api.ScalarType.LONG)
            .scalarField("name", io.vecgrid.api.ScalarType.STRING).build());
        vg.insert("kept", TestRows.rows(0, 20, 4));
        BackupInfo b = vg.backupCreate("client_1");
        assertTrue(b.collection("kept") != null, b.toString());
        Backups server = Vecgrid.local(cluster.any()).backups();

        same(BackupExistsException.class, () -> vg.backupCreate("client_1"), () -> server.create("client_1"));
        same(InvalidRequestException.class, () -> vg.backupCreate("a.b"), () -> server.create("a.b"));
        same(BackupNotFoundException.class, () -> vg.backupRestore("missing"), () -> server.restore("missing", List.of()));
        same(CollectionExistsException.class, () -> vg.backupRestore("client_1", "kept"),
            () -> server.restore("client_1", List.of("kept")));
        CollectionExistsException e = assertThrows(CollectionExistsException.class, () -> vg.backupRestore("client_1", "kept"));
        assertEquals("kept", e.collection());

        vg.dropCollection("kept");
        List<CollectionDescription> back = vg.backupRestore("client_1", "kept");
        assertEquals(1, back.size());
        assertEquals(20, back.get(0).rowCount());
        assertEquals(20, vg.count("kept"));
    }

    @Test
    void anUnreachableClusterExitsWithTwo() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        CliRun r = CliRun.run(Map.of(), "--host", "127.0.0.1:" + port, "backup", "list");
        assertEquals(2, r.code, r.toString());
        assertTrue(r.err.startsWith("vecgrid: cluster unavailable: "), r.toString());
    }

    /** Both calls fail with the same type and message. */
    private static void same(Class<? extends VecgridException> type, Executable client, Executable server) {
        VecgridException c = assertThrows(type, client);
        VecgridException s = assertThrows(type, server);
        assertEquals(s.getClass(), c.getClass());
        assertEquals(s.getMessage(), c.getMessage());
    }
}
