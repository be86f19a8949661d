package io.vecgrid.sql;

import io.vecgrid.Vecgrid;
import io.vecgrid.api.CollectionDescription;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.IndexType;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.Limits;
import io.vecgrid.api.Metric;
import io.vecgrid.api.ScalarType;
import org.apache.ignite.cache.query.annotations.QuerySqlFunction;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Collections managed from SQL, for clients that have SQL and nothing else (the Node.js and Python thin clients,
 * sqlline, any JDBC tool). Each function is one call of the Java API on the node the client is connected to, with
 * the API's validation and messages, and returns the collection as {@code vecgrid describe NAME --json} prints it
 * (one line of JSON):
 * <ul>
 *   <li>{@code VECGRID_CREATE_COLLECTION(name, dimension, metric, index, fields, shards, replicas)};</li>
 *   <li>{@code VECGRID_DESCRIBE_COLLECTION(name)};</li>
 *   <li>{@code VECGRID_DROP_COLLECTION(name)} (returns the description the collection had);</li>
 *   <li>{@code VECGRID_FLUSH(name)} (returns the description after the flush);</li>
 *   <li>{@code VECGRID_SET_REPLICA_NUMBER(name, replicas)}.</li>
 * </ul>
 * {@code index} is {@code 'FLAT'}, {@code 'HNSW'} or {@code 'HNSW(M=16, EF_CONSTRUCTION=200, EF=96)'} (any of the
 * three settings, the others default), {@code NULL} for HNSW with defaults; {@code fields} is a comma-separated list
 * of {@code name:TYPE}, TYPE one of {@code LONG}, {@code DOUBLE}, {@code BOOLEAN}, {@code STRING} (or the SQL names
 * {@code BIGINT}, {@code VARCHAR}), and {@code PK} or {@code VECTOR} to rename the primary key and vector fields;
 * {@code NULL} or {@code ''} for none. {@code shards} and {@code replicas} {@code NULL} take the defaults.
 *
 * <p>A function that changes something must run once per statement: under H2 a statement without tables runs on the
 * connected node only, and a statement sent to Calcite that calls one is handed to H2 ({@link SqlEngines}), because
 * Calcite may evaluate a call with constant arguments once when it plans the statement and reuse the plan.
 */
public final class CollectionFunctions {
    /** Functions with side effects: statements that call them run under H2 (see {@link SqlEngines}). */
    static final Pattern WRITING_CALL = Pattern.compile(
        "\\bVECGRID_(?:CREATE_COLLECTION|DROP_COLLECTION|FLUSH|SET_REPLICA_NUMBER)\\s*\\(", Pattern.CASE_INSENSITIVE);

    private static final Pattern HNSW_PARAMS = Pattern.compile("HNSW\\s*\\((.*)\\)", Pattern.CASE_INSENSITIVE);

    private CollectionFunctions() {
    }

    /** @return the new collection's description (JSON). */
    @QuerySqlFunction(alias = "VECGRID_CREATE_COLLECTION")
    public static String createCollection(String name, Integer dimension, String metric, String index, String fields,
        Integer shards, Integer replicas) {
        if (dimension == null)
            throw new InvalidRequestException("dimension must be in [1, " + Limits.MAX_DIMENSION + "], got NULL");
        CollectionSpec.Builder b = CollectionSpec.builder(name).dimension(dimension).metric(Metric.parse(metric))
            .index(index(index)).shards(shards == null ? Limits.DFLT_SHARDS : shards)
            .replicas(replicas == null ? Limits.DFLT_REPLICAS : replicas);
        fields(b, fields);
        return DescriptionJson.describe(vecgrid().createCollection(b.build()));
    }

    /** @return the collection's description (JSON). */
    @QuerySqlFunction(alias = "VECGRID_DESCRIBE_COLLECTION")
    public static String describeCollection(String name) {
        return DescriptionJson.describe(vecgrid().describeCollection(checkName(name)));
    }

    /** @return the description the collection had before it was dropped (JSON). */
    @QuerySqlFunction(alias = "VECGRID_DROP_COLLECTION")
    public static String dropCollection(String name) {
        Vecgrid vg = vecgrid();
        CollectionDescription d = vg.describeCollection(checkName(name));
        vg.dropCollection(name);
        return DescriptionJson.describe(d);
    }

    /** Seals every growing row now. @return the description after the flush (JSON). */
    @QuerySqlFunction(alias = "VECGRID_FLUSH")
    public static String flush(String name) {
        Vecgrid vg = vecgrid();
        vg.flush(checkName(name));
        return DescriptionJson.describe(vg.describeCollection(name));
    }

    /** @return the description after the change (JSON). */
    @QuerySqlFunction(alias = "VECGRID_SET_REPLICA_NUMBER")
    public static String setReplicaNumber(String name, Integer replicas) {
        if (replicas == null)
            throw new InvalidRequestException("replicaNumber must be at least 1, got NULL");
        return DescriptionJson.describe(vecgrid().setReplicaNumber(checkName(name), replicas));
    }

    /** @return {@code name}; {@code NULL} gets the API's message for an empty name (the API checks the rest). */
    private static String checkName(String name) {
        if (name == null)
            Limits.checkName("collection name", null);
        return name;
    }

    /** @return the index spec of {@code 'FLAT'}, {@code 'HNSW'} or {@code 'HNSW(M=.., EF_CONSTRUCTION=.., EF=..)'}. */
    static IndexSpec index(String text) {
        if (text == null || text.isBlank())
            return IndexSpec.hnsw();
        String t = text.trim();
        if (t.equalsIgnoreCase(IndexType.FLAT.name()))
            return IndexSpec.flat();
        if (t.equalsIgnoreCase(IndexType.HNSW.name()))
            return IndexSpec.hnsw();
        Matcher m = HNSW_PARAMS.matcher(t);
        if (!m.matches()) {
            throw new InvalidRequestException("index must be FLAT, HNSW or HNSW(M=16, EF_CONSTRUCTION=200, EF=96), " +
                "got '" + text + "'");
        }
        int maxDegree = IndexSpec.DFLT_M;
        int efConstruction = IndexSpec.DFLT_EF_CONSTRUCTION;
        int ef = IndexSpec.DFLT_EF;
        if (!m.group(1).isBlank()) {
            for (String kv : m.group(1).split(",")) {
                int eq = kv.indexOf('=');
                String key = eq < 0 ? kv.trim() : kv.substring(0, eq).trim().toUpperCase(Locale.ROOT).replace("_", "");
                int value;
                try {
                    value = eq < 0 ? -1 : Integer.parseInt(kv.substring(eq + 1).trim());
                }
                catch (NumberFormatException e) {
                    throw new InvalidRequestException("index setting '" + kv.trim() + "' must be NAME=INTEGER, in '" +
                        text + "'");
                }
                if (eq < 0)
                    throw new InvalidRequestException("index setting '" + key + "' must be NAME=INTEGER, in '" + text + "'");
                switch (key) {
                    case "M": maxDegree = value; break;
                    case "EFCONSTRUCTION": efConstruction = value; break;
                    case "EF": ef = value; break;
                    default:
                        throw new InvalidRequestException("unknown index setting '" + kv.substring(0, eq).trim() +
                            "' in '" + text + "'; HNSW takes M, EF_CONSTRUCTION and EF");
                }
            }
        }
        return IndexSpec.hnsw(maxDegree, efConstruction, ef);
    }

    /** Adds the fields of {@code 'name:TYPE, ...'} to {@code b}. */
    static void fields(CollectionSpec.Builder b, String text) {
        if (text == null || text.isBlank())
            return;
        for (String f : text.split(",")) {
            int colon = f.indexOf(':');
            if (colon <= 0 || colon == f.length() - 1)
                throw new InvalidRequestException("fields: expected NAME:TYPE, got '" + f.trim() + "'");
            String name = f.substring(0, colon).trim();
            String type = f.substring(colon + 1).trim().toUpperCase(Locale.ROOT);
            switch (type) {
                case "PK": b.pkField(name); break;
                case "VECTOR": b.vectorField(name); break;
                case "BIGINT": b.scalarField(name, ScalarType.LONG); break;
                case "VARCHAR": b.scalarField(name, ScalarType.STRING); break;
                default:
                    try {
                        b.scalarField(name, ScalarType.valueOf(type));
                    }
                    catch (IllegalArgumentException e) {
                        throw new InvalidRequestException("field '" + name + "': type must be LONG (BIGINT), DOUBLE, " +
                            "BOOLEAN, STRING (VARCHAR), PK or VECTOR, got '" + f.substring(colon + 1).trim() + "'");
                    }
            }
        }
    }

    private static Vecgrid vecgrid() {
        return Vecgrid.local(SqlNodes.localIgnite());
    }
}
