package io.vecgrid.cluster;

import io.vecgrid.TestCluster;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node started with a work directory that holds another cluster's data is refused by the cluster (Ignite's
 * baseline check), nothing of either cluster changes, and vecgrid's log names the node's directory and says what to
 * do.
 */
class ForeignWorkDirTest {
    @Test
    void aNodeWithAnotherClustersDataIsRefusedNamingItsDirectory() throws Exception {
        File rootA = Files.createTempDirectory("vecgrid-a").toFile();
        File rootB = Files.createTempDirectory("vecgrid-b").toFile();
        List<String> errors = new CopyOnWriteArrayList<>();
        try (TestCluster a = new TestCluster().persistent(rootA)) {
            a.start("x");
            Vecgrid.of(a.any()).createCollection(CollectionSpec.builder("a").dimension(8).index(IndexSpec.flat()).build());
        }
        try (TestCluster b = new TestCluster().persistent(rootB).listenToLogs(errors::add)) {
            b.startServers(1);
            Vecgrid.of(b.any()).createCollection(CollectionSpec.builder("b").dimension(8).index(IndexSpec.flat()).build());
            // Node x of cluster A, with its data, tries to join cluster B.
            Files.move(new File(rootA, "x").toPath(), new File(rootB, "x").toPath());
            Exception e = assertThrows(Exception.class, () -> b.start("x"));
            assertTrue(String.valueOf(rootCause(e).getMessage()).contains("BaselineTopology of joining node (x) is not compatible"),
                "Ignite refuses the join: " + rootCause(e));
            assertTrue(errors.stream().anyMatch(m -> m.contains(new File(rootB, "x").getPath()) &&
                m.contains("another cluster's data")), "vecgrid names the directory: " + errors);
            assertEquals(List.of("b"), Vecgrid.of(b.any()).listCollections(), "cluster B unchanged");
            assertEquals(1, b.any().cluster().forServers().nodes().size());
        }
        finally {
            TestCluster.deleteTree(rootA);
            TestCluster.deleteTree(rootB);
        }
    }

    private static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t)
            t = t.getCause();
        return t;
    }
}
