package io.vecgrid.plugin;

import io.vecgrid.TestCluster;
import io.vecgrid.config.VecgridConfiguration;
import org.apache.ignite.Ignite;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node whose vecgrid version or a setting that must match cluster-wide differs from the cluster's is refused at
 * join, with a message naming the setting and both values; node-local settings may differ.
 */
class ClusterSettingsTest {
    private static TestCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new TestCluster().startServers(1);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    static Stream<Arguments> mismatches() {
        VecgridConfiguration d = new VecgridConfiguration();
        return Stream.of(
            mismatch("sealRows", "100", d.getSealRows(), c -> c.setSealRows(100)),
            mismatch("maxTopK", "50", d.getMaxTopK(), c -> c.setMaxTopK(50)),
            mismatch("maxBatchRows", "500", d.getMaxBatchRows(), c -> c.setMaxBatchRows(500)),
            mismatch("maxGrowingRowsPerShard", "100000", d.getMaxGrowingRowsPerShard(), c -> c.setMaxGrowingRowsPerShard(100_000)),
            mismatch("segmentSlots", "64", d.getSegmentSlots(), c -> c.setSegmentSlots(64)),
            mismatch("rowPartitions", "32", d.getRowPartitions(), c -> c.setRowPartitions(32)),
            mismatch("segmentMaxBytes", String.valueOf(8L << 20), d.getSegmentMaxBytes(), c -> c.setSegmentMaxBytes(8L << 20)),
            mismatch("segmentChunkBytes", String.valueOf(1 << 20), d.getSegmentChunkBytes(), c -> c.setSegmentChunkBytes(1 << 20)),
            mismatch("smallSegmentRatio", "0.5", d.getSmallSegmentRatio(), c -> c.setSmallSegmentRatio(0.5)),
            mismatch("deletedRatio", "0.5", d.getDeletedRatio(), c -> c.setDeletedRatio(0.5)),
            mismatch("balanceTolerance", "0.5", d.getBalanceTolerance(), c -> c.setBalanceTolerance(0.5)));
    }

    private static Arguments mismatch(String setting, String theirs, Object clusters, Consumer<VecgridConfiguration> c) {
        return Arguments.of(setting, theirs, String.valueOf(clusters), c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mismatches")
    void aNodeWithADifferentSettingIsRefusedNamingIt(String setting, String theirs, String clusters,
        Consumer<VecgridConfiguration> tweak) {
        String name = "bad-" + setting;
        cluster.configure(name, tweak);
        Exception e = cluster.startRefused(name);
        assertTrue(messages(e).contains("its vecgrid setting " + setting + " is " + theirs + ", the cluster's is " +
            clusters + "; every node of a cluster must have the same " + setting), messages(e));
        assertEquals(1, cluster.any().cluster().forServers().nodes().size(), "the cluster did not take it in");
    }

    @Test
    void aNodeWithAnotherVecgridVersionIsRefused() {
        IgniteConfiguration cfg = cluster.config("old", false);
        VecgridPluginProvider p = (VecgridPluginProvider)cfg.getPluginProviders()[0];
        cfg.setPluginProviders(new VecgridPluginProvider(p.getConfiguration()) {
            @Override public String version() {
                return "0.0.1-old";
            }
        });
        String mine = new VecgridPluginProvider().version();
        Exception e = TestCluster.startRefused(cfg);
        assertTrue(messages(e).contains("its vecgrid version is 0.0.1-old, the cluster's is " + mine), messages(e));
        assertEquals(1, cluster.any().cluster().forServers().nodes().size(), "the cluster did not take it in");
    }

    @Test
    void nodeLocalSettingsMayDiffer() {
        cluster.configure("local", c -> c.setSearchThreads(3).setSealCheckMillis(75));
        Ignite ig = cluster.start("local");
        try {
            assertEquals(2, ig.cluster().forServers().nodes().size());
        }
        finally {
            cluster.stop("local");
        }
    }

    private static String messages(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause())
            b.append(t.getMessage()).append(" | ");
        return b.toString();
    }
}
