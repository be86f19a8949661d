package io.vecgrid.backup;

import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.Metric;
import io.vecgrid.api.ScalarType;
import io.vecgrid.cli.VecgridCli;
import io.vecgrid.client.VecgridClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backups on an in-memory cluster (one node without native persistence, as config/in-memory-config.xml starts):
 * taking, listing and restoring are each refused with a message saying that backups need the persistent
 * configuration, through the Java API, the thin client (same type and message) and the CLI (exit code 1); nothing is
 * changed and the collection keeps serving.
 */
class BackupInMemoryTest {
    private static final String MSG = "backups need Ignite native persistence, and this cluster keeps its data in memory " +
        "only: start the nodes with the persistent configuration (config/default-config.xml) to take and restore backups";

    private static TestCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new TestCluster().startServers(1);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void everyBackupOperationIsRefused() {
        Vecgrid vg = Vecgrid.local(cluster.any());
        vg.createCollection(CollectionSpec.builder("mem").dimension(4).metric(Metric.L2)
            .scalarField("tag", ScalarType.LONG).scalarField("name", ScalarType.STRING).build());
        vg.insert("mem", TestRows.rows(0, 10, 4));

        refused(() -> vg.backups().create("b1"));
        refused(() -> vg.backups().list());
        refused(() -> vg.backups().restore("b1", List.of()));

        try (VecgridClient c = VecgridClient.connect("127.0.0.1:" + cluster.clientPort())) {
            refused(() -> c.backupCreate("b1"));
            refused(c::backupList);
            refused(() -> c.backupRestore("b1", "mem"));
        }

        for (String[] args : List.of(new String[] {"backup", "create", "b1"}, new String[] {"backup", "list", "--json"},
            new String[] {"backup", "restore", "b1"})) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            String[] all = new String[args.length + 2];
            all[0] = "--host";
            all[1] = "127.0.0.1:" + cluster.clientPort();
            System.arraycopy(args, 0, all, 2, args.length);
            int code = VecgridCli.run(new PrintWriter(out, true), new PrintWriter(err, true), all);
            assertEquals(VecgridCli.EXIT_BAD_INPUT, code, String.join(" ", args) + ": " + err);
            assertEquals("vecgrid: " + MSG + System.lineSeparator(), err.toString());
        }
        assertEquals(10, vg.count("mem"), "nothing changed");
        assertEquals(List.of("mem"), vg.listCollections());
    }

    private static void refused(Executable call) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, call);
        assertEquals(InvalidRequestException.class, e.getClass());
        assertEquals(MSG, e.getMessage());
        assertTrue(e.getMessage().contains("config/default-config.xml"));
    }
}
