package io.vecgrid.sql;

import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionNotFoundException;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.Metric;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.index.DistanceKernel;
import io.vecgrid.shard.RowKey;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.CachePeekMode;
import org.apache.ignite.cache.query.annotations.QuerySqlFunction;

/**
 * vecgrid's scalar SQL functions over vectors, registered in schema {@code VECGRID} by the cache
 * {@value CollectionTables#FUNCTIONS_CACHE}.
 * Vectors are {@link VectorLiteral} text ({@code '[0.1, 0.2, ...]'}): that is the one form both of Ignite's engines
 * hand to a function (Calcite cannot pass the {@code float[]} vector column to any function).
 * <ul>
 *   <li>{@code L2_DISTANCE(a, b)}, {@code IP_DISTANCE(a, b)}, {@code COSINE_DISTANCE(a, b)}: exact distances, smaller
 *   is closer for every metric ({@link SqlDistances}): squared Euclidean, negative inner product, 1 - cosine
 *   similarity. {@code NULL} in, {@code NULL} out.</li>
 *   <li>{@code INNER_PRODUCT(a, b)}, {@code COSINE_SIMILARITY(a, b)}: exact similarities, larger is closer (the
 *   API's IP and COSINE scores).</li>
 *   <li>{@code VECTOR_TO_STRING(VECTOR)}: the vector column as text. H2 engine only.</li>
 *   <li>{@code VECTOR_OF(collection, id)}: the vector of the row with primary key {@code id}, as text. Both engines
 *   (a key lookup per call, local when this node holds the row).</li>
 * </ul>
 *
 * <p>Every method is static and stateless; thread-safe. Errors are {@link InvalidRequestException}s whose message
 * names the literal and what was expected; SQL reports them as the statement's error.
 *
 * <p>Each SQL name has exactly one Java method: Calcite resolves a function of a fragment that runs on another node
 * by name only, so overloads (even by argument count) would be picked wrongly there.
 */
public final class VectorFunctions {
    private VectorFunctions() {
    }

    /** @return squared Euclidean distance of two vectors given as text (smaller is closer); {@code NULL} if either is. */
    @QuerySqlFunction(alias = "L2_DISTANCE")
    public static Double l2Distance(String a, String b) {
        return distance(Metric.L2, "L2_DISTANCE", a, b);
    }

    /** @return the negative inner product of two vectors given as text (smaller is closer); {@code NULL} if either is. */
    @QuerySqlFunction(alias = "IP_DISTANCE")
    public static Double ipDistance(String a, String b) {
        return distance(Metric.IP, "IP_DISTANCE", a, b);
    }

    /**
     * @return the cosine distance, 1 - cosine similarity, of two vectors given as text, in [0, 2] (smaller is closer;
     *      1 if a norm is 0); {@code NULL} if either is.
     */
    @QuerySqlFunction(alias = "COSINE_DISTANCE")
    public static Double cosineDistance(String a, String b) {
        return distance(Metric.COSINE, "COSINE_DISTANCE", a, b);
    }

    /** @return the inner product of two vectors given as text (larger is closer); {@code NULL} if either is. */
    @QuerySqlFunction(alias = "INNER_PRODUCT")
    public static Double innerProduct(String a, String b) {
        return score(Metric.IP, "INNER_PRODUCT", a, b);
    }

    /**
     * @return the cosine similarity of two vectors given as text, in [-1, 1] (larger is closer; 0 if a norm is 0);
     *      {@code NULL} if either is.
     */
    @QuerySqlFunction(alias = "COSINE_SIMILARITY")
    public static Double cosineSimilarity(String a, String b) {
        return score(Metric.COSINE, "COSINE_SIMILARITY", a, b);
    }

    /**
     * @param vector the vector column ({@code float[]}), under the H2 engine.
     * @return the vector as text, {@code '[x1, x2, ...]'}; {@code NULL} for {@code NULL}.
     */
    @QuerySqlFunction(alias = "VECTOR_TO_STRING")
    public static String vectorToString(Object vector) {
        if (vector == null)
            return null;
        if (vector instanceof float[])
            return VectorLiteral.format((float[])vector);
        throw new InvalidRequestException("VECTOR_TO_STRING expects a collection's vector column, got " +
            vector.getClass().getSimpleName() + " (under the Calcite engine use VECTOR_OF('<collection>', <id>))");
    }

    /**
     * @param collection collection name.
     * @param id primary key.
     * @return the row's vector as text, or {@code NULL} if there is no such row.
     */
    @QuerySqlFunction(alias = "VECTOR_OF")
    public static String vectorOf(String collection, Long id) {
        if (collection == null || id == null)
            return null;
        Ignite ignite = SqlNodes.localIgnite();
        Vecgrid vg = Vecgrid.local(ignite);
        CollectionMeta meta = vg.metaStore().meta(collection);
        if (meta == null)
            throw new CollectionNotFoundException(collection);
        // A sealed row's vector lives only in its segment: the same read as the API's get.
        java.util.List<io.vecgrid.api.VectorRow> rows = vg.get(collection, new long[] {id},
            java.util.List.of(meta.spec().vectorField()));
        return rows.isEmpty() ? null : VectorLiteral.format(rows.get(0).vector());
    }

    private static Double distance(Metric metric, String fn, String a, String b) {
        Double score = score(metric, fn, a, b);
        return score == null ? null : SqlDistances.ofScore(metric, score);
    }

    /** @return the API's score of {@code metric} (Milvus's semantics), {@code NULL} if an argument is. */
    private static Double score(Metric metric, String fn, String a, String b) {
        if (a == null || b == null)
            return null;
        float[] x = VectorLiteral.parseCached(a);
        float[] y = VectorLiteral.parseCached(b);
        if (x.length != y.length) {
            throw new InvalidRequestException(fn + ": the vectors have different dimensions, " + x.length + " and " +
                y.length + "; both must have the collection's dimension");
        }
        return (double)DistanceKernel.distance(metric, x, 0, y, 0, x.length);
    }
}
