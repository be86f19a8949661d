package io.vecgrid.sql;

import io.vecgrid.TestCluster;
import org.apache.ignite.Ignite;
import org.apache.ignite.Ignition;
import org.apache.ignite.calcite.CalciteQueryEngineConfiguration;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.configuration.SqlConfiguration;
import org.apache.ignite.indexing.IndexingQueryEngineConfiguration;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Server nodes of a {@link TestCluster} (its ports and settings) with both SQL engines: H2 the default, Calcite chosen
 * per connection ({@code queryEngine=calcite}). TestCluster starts nodes without a SQL configuration, so the nodes are
 * started and stopped here. One per test class.
 */
final class SqlCluster implements AutoCloseable {
    final TestCluster cluster = new TestCluster();
    private final List<Ignite> nodes = new ArrayList<>();

    SqlCluster(int servers) {
        for (int i = 0; i < servers; i++) {
            IgniteConfiguration c = cluster.config("s" + i, false);
            c.setSqlConfiguration(new SqlConfiguration().setQueryEnginesConfiguration(
                new IndexingQueryEngineConfiguration().setDefault(true), new CalciteQueryEngineConfiguration()));
            nodes.add(Ignition.start(c));
        }
    }

    Ignite node(int i) {
        return nodes.get(i);
    }

    List<Ignite> nodes() {
        return nodes;
    }

    /** @return JDBC thin URL of node {@code i} (client ports are taken in start order), schema VECGRID, H2 engine. */
    String url(int i) {
        return "jdbc:ignite:thin://127.0.0.1:" + (cluster.clientPort() + i) + "/" + CollectionTables.SCHEMA;
    }

    String calciteUrl(int i) {
        return url(i) + "?queryEngine=calcite";
    }

    Connection h2() throws SQLException {
        return DriverManager.getConnection(url(0));
    }

    Connection calcite() throws SQLException {
        return DriverManager.getConnection(calciteUrl(0));
    }

    /**
     * @return the sum over every server node of {@code metric} from {@code SYS.METRICS} (a node-local view, so each
     *      node is asked through its own JDBC port).
     */
    long metricSum(String metric) throws SQLException {
        long sum = 0;
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < nodes.size(); i++) {
            try (Connection c = DriverManager.getConnection(url(i));
                 Statement st = c.createStatement()) {
                try (ResultSet r = st.executeQuery("SELECT NODE_ID FROM SYS.NODES WHERE IS_LOCAL = TRUE")) {
                    r.next();
                    seen.add(r.getString(1));
                }
                try (PreparedStatement ps = c.prepareStatement("SELECT VALUE FROM SYS.METRICS WHERE NAME = ?")) {
                    ps.setString(1, metric);
                    try (ResultSet r = ps.executeQuery()) {
                        if (r.next())
                            sum += Long.parseLong(r.getString(1));
                    }
                }
            }
        }
        assertEquals(nodes.size(), seen.size(), "every node asked once: " + seen);
        return sum;
    }

    /** @return router searches of the whole cluster so far. */
    long routerSearches() throws SQLException {
        return metricSum("custom.vecgrid.Searches");
    }

    @Override public void close() {
        for (Ignite ig : nodes) {
            try {
                Ignition.stop(ig.name(), true);
            }
            catch (RuntimeException ignored) {
                // Already stopped.
            }
        }
        nodes.clear();
    }
}
