package io.vecgrid.sql;

import io.vecgrid.api.InvalidRequestException;
import org.apache.ignite.cache.query.annotations.QuerySqlFunction;

/**
 * Router-backed top-k for SQL: the {@code k} nearest rows of a collection to a query vector, as served by the replica
 * router ({@code Vecgrid.search}), never by a scan of the table. A statement joins these functions with the
 * collection's table by primary key, so the rows come from key lookups:
 * <ul>
 *   <li>{@code TOPK_IDS(collection, vector, k, filter, ef)} / {@code TOPK_DISTS(...)}: the hits' primary keys and
 *   distances as arrays, nearest first, for H2's {@code TABLE(ID BIGINT = TOPK_IDS(...), DIST DOUBLE =
 *   TOPK_DISTS(...))}. H2 engine only.</li>
 *   <li>{@code TOPK_ID(collection, vector, k, filter, ef, pos)}, {@code TOPK_DIST(...)}, {@code TOPK_SHARD(...)}:
 *   primary key, distance and shard of the hit at position {@code pos} (1 = nearest), {@code NULL} past the last
 *   hit (shard: 0); driven by {@code SYSTEM_RANGE(1, k)}. Both engines.</li>
 * </ul>
 * {@code vector} is a vector literal {@code '[x1, x2, ...]'}; {@code filter} a vecgrid filter expression over the
 * scalar fields ({@code ''} or {@code NULL} for none); {@code ef} the HNSW beam width ({@code 0} for the
 * collection's default). Distances are SQL's ({@link SqlDistances}): smaller is closer for every metric, equal to the
 * collection's {@code *_DISTANCE} function of the row's vector and the query vector.
 *
 * <p>However many calls a statement makes, on however many nodes, they cost one router search (see
 * {@link TopKSearches}). Not deterministic (a search's answer changes with the data): H2 must not fold a call into a
 * cached plan.
 *
 * <p>Each SQL name has exactly one Java method (Calcite resolves a remote fragment's functions by name only).
 */
public final class TopKFunctions {
    private TopKFunctions() {
    }

    /** @return primary keys of the {@code k} nearest rows, nearest first. */
    @QuerySqlFunction(alias = "TOPK_IDS")
    public static Long[] topkIds(String collection, String vector, int k, String filter, int ef) {
        TopKResult r = result(collection, vector, k, filter, ef);
        Long[] ids = new Long[r.size()];
        for (int i = 0; i < ids.length; i++)
            ids[i] = r.ids[i];
        return ids;
    }

    /** @return distances of the {@code k} nearest rows, in the order of {@link #topkIds}. */
    @QuerySqlFunction(alias = "TOPK_DISTS")
    public static Double[] topkDists(String collection, String vector, int k, String filter, int ef) {
        TopKResult r = result(collection, vector, k, filter, ef);
        Double[] d = new Double[r.size()];
        for (int i = 0; i < d.length; i++)
            d[i] = (double)r.distances[i];
        return d;
    }

    /** @return primary key of the hit at position {@code pos} (1-based), or {@code NULL} past the last hit. */
    @QuerySqlFunction(alias = "TOPK_ID")
    public static Long topkId(String collection, String vector, int k, String filter, int ef, int pos) {
        TopKResult r = result(collection, vector, k, filter, ef);
        return checkPos(pos, k) > r.size() ? null : r.ids[pos - 1];
    }

    /** @return distance of the hit at position {@code pos} (1-based), or {@code NULL} past the last hit. */
    @QuerySqlFunction(alias = "TOPK_DIST")
    public static Double topkDist(String collection, String vector, int k, String filter, int ef, int pos) {
        TopKResult r = result(collection, vector, k, filter, ef);
        return checkPos(pos, k) > r.size() ? null : (double)r.distances[pos - 1];
    }

    /**
     * @return shard of the hit at position {@code pos} (1-based): joined with the table's {@code _SHARD} column it
     *      tells Calcite which node holds the row. Past the last hit 0, a shard that exists (Calcite cannot route a
     *      {@code NULL}); {@code TOPK_ID} is {@code NULL} there, so the join matches nothing.
     */
    @QuerySqlFunction(alias = "TOPK_SHARD")
    public static Integer topkShard(String collection, String vector, int k, String filter, int ef, int pos) {
        TopKResult r = result(collection, vector, k, filter, ef);
        return checkPos(pos, k) > r.size() ? 0 : r.shards[pos - 1];
    }

    private static TopKResult result(String collection, String vector, int k, String filter, int ef) {
        if (collection == null)
            throw new InvalidRequestException("top-k: the collection name must not be NULL");
        if (vector == null)
            throw new InvalidRequestException("top-k: the query vector must not be NULL; expected '[x1, x2, ...]'");
        if (k < 1)
            throw new InvalidRequestException("top-k: k must be at least 1, got " + k);
        // Checked here, on every node, so a malformed literal fails at once with the same message everywhere.
        VectorLiteral.parseCached(vector);
        return TopKSearches.of(SqlNodes.localIgnite()).get(new TopKKey(collection, vector, k, filter, ef));
    }

    private static int checkPos(int pos, int k) {
        if (pos < 1 || pos > k)
            throw new InvalidRequestException("top-k: position must be in [1, k=" + k + "], got " + pos);
        return pos;
    }
}
