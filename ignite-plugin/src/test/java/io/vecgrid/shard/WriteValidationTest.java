package io.vecgrid.shard;

import io.vecgrid.TestCluster;
import io.vecgrid.TestRows;
import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionNotFoundException;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.DimensionMismatchException;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.ScalarType;
import io.vecgrid.api.VecgridException;
import io.vecgrid.api.VectorGrid;
import io.vecgrid.api.VectorRow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One test per bad input: each asserts the exact message and that nothing changed (row count and the rows of the
 * batch). Two real nodes, replicaNumber 2.
 */
class WriteValidationTest {
    private static final int DIM = 4;
    private static final int MAX_BATCH = 100;

    private static TestCluster cluster;
    private static VectorGrid vg;

    @BeforeAll
    static void start() {
        cluster = new TestCluster().configure(c -> c.setMaxBatchRows(MAX_BATCH)).startServers(2);
        vg = Vecgrid.of(cluster.node("s0"));
        vg.createCollection(CollectionSpec.builder("v").dimension(DIM).index(IndexSpec.flat())
            .scalarField("tag", ScalarType.LONG).scalarField("name", ScalarType.STRING)
            .scalarField("price", ScalarType.DOUBLE).scalarField("flag", ScalarType.BOOLEAN).replicas(2).build());
        vg.insert("v", TestRows.rows(0, 10, DIM));
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @AfterEach
    void nothingChanged() {
        assertEquals(10, vg.count("v"), "a rejected request must not change the row count");
        assertEquals(0, vg.get("v", TestRows.pks(1000, 5), null).size(), "no row of a rejected batch may be written");
        List<VectorRow> old = vg.get("v", new long[] {3}, null);
        assertEquals(1, old.size());
        assertEquals("row-3", old.get(0).field("name"), "existing rows are untouched");
    }

    /** A batch of good rows 1000..1003 with {@code bad} as its third row. */
    private static List<VectorRow> batchWith(VectorRow bad) {
        List<VectorRow> rows = new ArrayList<>(TestRows.rows(1000, 2, DIM));
        rows.add(bad);
        rows.addAll(TestRows.rows(1003, 2, DIM));
        return rows;
    }

    private static <T extends Throwable> void assertRejected(Class<T> type, String msg, Executable call) {
        T e = assertThrows(type, call);
        assertEquals(msg, e.getMessage());
    }

    @Test
    void wrongDimension() {
        assertRejected(DimensionMismatchException.class,
            "row 2 (pk 1002): vector field 'vector' has dimension 5, collection 'v' expects 4",
            () -> vg.insert("v", batchWith(new VectorRow(1002, new float[5]))));
    }

    @Test
    void emptyVector() {
        assertRejected(DimensionMismatchException.class,
            "row 2 (pk 1002): vector field 'vector' must not be empty; collection 'v' expects dimension 4",
            () -> vg.upsert("v", batchWith(new VectorRow(1002, new float[0]))));
    }

    @Test
    void nullVector() {
        assertRejected(InvalidRequestException.class, "row 2 (pk 1002): vector field 'vector' must not be null",
            () -> vg.insert("v", batchWith(new VectorRow(1002, null))));
    }

    @Test
    void nanComponent() {
        assertRejected(InvalidRequestException.class,
            "row 2 (pk 1002): vector field 'vector' has NaN at position 1; every component must be a finite number",
            () -> vg.insert("v", batchWith(new VectorRow(1002, new float[] {0, Float.NaN, 0, 0}))));
    }

    @Test
    void infiniteComponent() {
        assertRejected(InvalidRequestException.class,
            "row 2 (pk 1002): vector field 'vector' has Infinity at position 3; every component must be a finite number",
            () -> vg.insert("v", batchWith(new VectorRow(1002, new float[] {0, 0, 0, Float.POSITIVE_INFINITY}))));
    }

    @Test
    void duplicatePrimaryKeyInBatch() {
        assertRejected(InvalidRequestException.class, "primary key 1001 appears twice in the batch (rows 1 and 2)",
            () -> vg.insert("v", batchWith(new VectorRow(1001, TestRows.vector(1001, DIM)))));
    }

    @Test
    void unknownScalarField() {
        assertRejected(InvalidRequestException.class,
            "row 2 (pk 1002): unknown field 'colour'; collection 'v' has scalar fields [tag:LONG, name:STRING, price:DOUBLE, flag:BOOLEAN]",
            () -> vg.insert("v", batchWith(new VectorRow(1002, TestRows.vector(1002, DIM), Map.of("colour", "red")))));
    }

    @Test
    void mistypedScalarField() {
        assertRejected(InvalidRequestException.class, "row 2 (pk 1002): field 'tag' is LONG, got String 'seven'",
            () -> vg.insert("v", batchWith(new VectorRow(1002, TestRows.vector(1002, DIM), Map.of("tag", "seven")))));
        assertRejected(InvalidRequestException.class, "row 2 (pk 1002): field 'flag' is BOOLEAN, got Integer '1'",
            () -> vg.insert("v", batchWith(new VectorRow(1002, TestRows.vector(1002, DIM), Map.of("flag", 1)))));
        assertRejected(InvalidRequestException.class, "row 2 (pk 1002): field 'price' must be finite, got NaN",
            () -> vg.insert("v", batchWith(new VectorRow(1002, TestRows.vector(1002, DIM), Map.of("price", Double.NaN)))));
    }

    @Test
    void oversizedBatch() {
        assertRejected(InvalidRequestException.class, "batch has 101 rows, at most maxBatchRows=100 are allowed",
            () -> vg.insert("v", TestRows.rows(1000, MAX_BATCH + 1, DIM)));
        assertRejected(InvalidRequestException.class, "batch has 101 primary keys, at most maxBatchRows=100 are allowed",
            () -> vg.delete("v", TestRows.pks(0, MAX_BATCH + 1)));
        assertRejected(InvalidRequestException.class, "batch has 101 primary keys, at most maxBatchRows=100 are allowed",
            () -> vg.get("v", TestRows.pks(0, MAX_BATCH + 1), null));
    }

    @Test
    void emptyBatch() {
        assertRejected(InvalidRequestException.class, "rows must not be empty", () -> vg.insert("v", List.of()));
        assertRejected(InvalidRequestException.class, "primary keys must not be empty", () -> vg.delete("v"));
    }

    @Test
    void insertOfExistingKeyWritesNothing() {
        List<VectorRow> batch = new ArrayList<>(TestRows.rows(1000, 3, DIM));
        batch.add(new VectorRow(5, TestRows.vector(99, DIM), Map.of("name", "changed")));
        assertRejected(InvalidRequestException.class,
            "primary key 5 already exists in collection 'v' (1 of the batch's keys exist); nothing was written; use upsert to replace rows",
            () -> vg.insert("v", batch));
        assertEquals("row-5", vg.get("v", new long[] {5}, null).get(0).field("name"));
    }

    @Test
    void unknownCollection() {
        assertRejected(CollectionNotFoundException.class, "collection 'nope' does not exist",
            () -> vg.insert("nope", TestRows.rows(1000, 1, DIM)));
        assertRejected(CollectionNotFoundException.class, "collection 'nope' does not exist", () -> vg.count("nope"));
        assertRejected(CollectionNotFoundException.class, "collection 'nope' does not exist", () -> vg.delete("nope", 1));
        assertRejected(CollectionNotFoundException.class, "collection 'nope' does not exist", () -> vg.flush("nope"));
    }

    @Test
    void writesAroundTheWritePathAreRejected() {
        io.vecgrid.collection.CollectionMeta meta = Vecgrid.local(cluster.node("s1")).metaStore().meta("v");
        org.apache.ignite.binary.BinaryObject bare = cluster.node("s1").binary().builder(meta.rowType())
            .setField("vector", new float[DIM]).build();
        // Cancelled by the rows cache's interceptor: the row never lands (checked in nothingChanged too).
        cluster.node("s1").cache(meta.rowsCache()).withKeepBinary().put(RowKey.of(1000, 2), bare);
        assertTrue(vg.get("v", new long[] {1000}, null).isEmpty(), "a write around the write path is dropped");
    }

    @Test
    void unknownOutputField() {
        VecgridException e = assertThrows(InvalidRequestException.class, () -> vg.get("v", new long[] {1}, List.of("colour")));
        assertEquals("unknown output field 'colour'; collection 'v' has fields id, vector, " +
            "[tag:LONG, name:STRING, price:DOUBLE, flag:BOOLEAN]", e.getMessage());
    }
}
