package io.vecgrid.examples;

import io.vecgrid.api.CollectionNotFoundException;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.ScalarType;
import io.vecgrid.api.VectorRow;
import io.vecgrid.client.VecgridClient;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * vecgrid over SQL through the Ignite JDBC thin driver: a collection is the table {@code VECGRID.<NAME>}; exact
 * distances come from {@code L2_DISTANCE}/{@code IP_DISTANCE}/{@code COSINE_DISTANCE} (smaller is closer for every
 * metric; {@code INNER_PRODUCT}/{@code COSINE_SIMILARITY} give similarities); the k nearest rows come from
 * the replica router through the {@code TOPK_*} functions, joined with the table by primary key (docs/sql.md).
 * SQL has no statement that creates a collection or writes vectors, so this example creates and fills one with the
 * thin client first, then reads it with SQL only. Start a cluster first ({@code scripts/start-cluster.sh 2}), then:
 *
 * <pre>
 * java -cp "examples/target/vecgrid-examples-0.1.0-SNAPSHOT.jar:ignite-plugin/target/vecgrid-ignite-plugin-0.1.0-SNAPSHOT.jar:ignite-plugin/target/lib/*" \
 *     io.vecgrid.examples.JdbcExample [127.0.0.1:10800..10809]
 * </pre>
 */
public final class JdbcExample {
    private static final String COLLECTION = "jdbc_docs";
    private static final int DIM = 16;
    private static final int ROWS = 3000;

    private JdbcExample() {
    }

    public static void main(String[] args) throws SQLException {
        String addresses = args.length > 0 ? args[0] : VecgridClient.DFLT_ADDRESSES;
        Random rnd = new Random(3);
        try (VecgridClient vg = VecgridClient.connect(addresses)) {
            load(vg, rnd);
            // The JDBC URL takes the same address list; the path names the schema, so vecgrid's names need no prefix.
            try (Connection c = DriverManager.getConnection("jdbc:ignite:thin://" + addresses + "/VECGRID")) {
                query(c, rnd);
            }
            finally {
                vg.dropCollection(COLLECTION);
            }
        }
    }

    private static void load(VecgridClient vg, Random rnd) {
        try {
            vg.dropCollection(COLLECTION);
        }
        catch (CollectionNotFoundException e) {
            // Not there: fine.
        }
        vg.createCollection(CollectionSpec.builder(COLLECTION).dimension(DIM).metric(Metric.L2)
            .index(IndexSpec.hnsw(16, 200, 64)).scalarField("category", ScalarType.LONG)
            .scalarField("title", ScalarType.STRING).build());
        List<VectorRow> batch = new ArrayList<>();
        for (long pk = 0; pk < ROWS; pk++) {
            batch.add(new VectorRow(pk, randomVector(rnd), Map.of("category", pk % 5, "title", "doc " + pk)));
            if (batch.size() == 1000) {
                vg.insert(COLLECTION, batch);
                batch = new ArrayList<>();
            }
        }
        vg.flush(COLLECTION);
    }

    private static void query(Connection c, Random rnd) throws SQLException {
        String q = literal(randomVector(rnd));

        print(c, "The table: primary key, scalar fields, the vector as text (H2 engine)",
            "SELECT ID, CATEGORY, TITLE, VECTOR_OF('jdbc_docs', ID) AS V FROM JDBC_DOCS WHERE ID < 3 ORDER BY ID");

        print(c, "Exact L2 distance, ORDER BY ... LIMIT (a scan of the table)",
            "SELECT ID, TITLE, L2_DISTANCE(VECTOR_OF('jdbc_docs', ID), ?) AS DIST FROM JDBC_DOCS ORDER BY DIST LIMIT 5", q);

        String args = "'jdbc_docs', ?, 5, 'category == 2', 0";
        print(c, "Router-backed top-k, H2 array form, filter category == 2",
            "SELECT a.ID, a.CATEGORY, a.TITLE, t.DIST FROM TABLE(ID BIGINT = TOPK_IDS(" + args + "), " +
                "DIST DOUBLE = TOPK_DISTS(" + args + ")) t JOIN JDBC_DOCS a ON a.ID = t.ID ORDER BY t.DIST", q, q);

        String pos = "'jdbc_docs', ?, 5, '', 128, r.X";
        String portable = "SELECT /*+ CNL_JOIN */ a.ID, a.CATEGORY, a.TITLE, TOPK_DIST(" + pos + ") AS DIST " +
            "FROM SYSTEM_RANGE(1, 5) r JOIN JDBC_DOCS a ON a.ID = TOPK_ID(" + pos + ") AND a._SHARD = TOPK_SHARD(" + pos + ") " +
            "ORDER BY r.X";
        print(c, "Router-backed top-k, the form both engines run, ef = 128", portable, q, q, q);

        print(c, "Its plan: rows are fetched by primary key (index JDBC_DOCS_PK)", "EXPLAIN " + portable, q, q, q);
    }

    private static void print(Connection c, String title, String sql, String... params) throws SQLException {
        System.out.println("== " + title);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++)
                ps.setString(i + 1, params[i]);
            try (ResultSet r = ps.executeQuery()) {
                ResultSetMetaData md = r.getMetaData();
                while (r.next()) {
                    StringBuilder sb = new StringBuilder("  ");
                    for (int i = 1; i <= md.getColumnCount(); i++)
                        sb.append(i > 1 ? ", " : "").append(md.getColumnLabel(i)).append('=').append(r.getString(i));
                    System.out.println(sb);
                }
            }
        }
    }

    private static String literal(float[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < v.length; i++)
            sb.append(i > 0 ? ", " : "").append(v[i]);
        return sb.append(']').toString();
    }

    private static float[] randomVector(Random rnd) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++)
            v[i] = rnd.nextFloat() * 2 - 1;
        return v;
    }
}
