package io.vecgrid.sql;

import io.vecgrid.api.ScalarField;
import io.vecgrid.api.VecgridException;
import io.vecgrid.collection.CollectionMeta;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.IgniteCheckedException;
import org.apache.ignite.cache.CacheMode;
import org.apache.ignite.cache.QueryEntity;
import org.apache.ignite.cache.QueryIndex;
import org.apache.ignite.cache.QueryIndexType;
import org.apache.ignite.configuration.CacheConfiguration;
import org.apache.ignite.internal.IgniteEx;
import org.apache.ignite.internal.processors.query.schema.SchemaOperationException;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The SQL face of a collection: its locations cache (one entry per live row, sealed or growing, with the scalar
 * fields) is the table {@code VECGRID.<NAME>}, the collection name in upper case (unquoted SQL identifiers are
 * upper-cased, so {@code SELECT * FROM docs} finds collection {@code docs}).
 *
 * <p>Columns, in this order:
 * <ul>
 *   <li>the primary key, named after the collection's primary key field ({@code ID} by default), {@code BIGINT};</li>
 *   <li>every scalar field under its name in upper case ({@code BIGINT}, {@code DOUBLE}, {@code BOOLEAN},
 *   {@code VARCHAR});</li>
 *   <li>the vector field ({@code VECTOR} by default), type {@code OTHER} holding the {@code float[]}: JDBC returns a
 *   {@code float[]}, {@code VECTOR_TO_STRING(VECTOR)} gives its text under H2, {@code VECTOR_OF('<collection>', ID)}
 *   under both engines;</li>
 *   <li>{@code _SHARD}, the row's shard ({@code INT}): rows are placed by shard, and a Calcite statement that joins
 *   by primary key must also name the shard to be routed to the node that holds the row.</li>
 * </ul>
 * The bookkeeping fields of {@link io.vecgrid.shard.RowCodec} ({@code __version}, {@code __segment},
 * {@code __slot}) are not declared, so SQL never sees them. A sorted index {@code <NAME>_PK} on (primary key,
 * {@code _SHARD}) makes joins by primary key key lookups under both engines.
 *
 * <p>Fields SQL cannot show are left out of the table (they stay reachable through the API): a scalar field named
 * {@code pk} or {@code shard} (the row key's own fields) and a scalar field whose upper-case name equals that of the
 * primary key, the vector, {@code _SHARD} or an earlier scalar field.
 *
 * <p>The table is read-only by contract: rows are written through the vecgrid API (which validates them and keeps
 * every replica's growing index and the sealed segments in step); SQL {@code INSERT}/{@code UPDATE}/{@code DELETE}
 * would bypass that and are not supported.
 *
 * <p>A replica-number change builds a second generation of caches while the first still serves; two tables of one
 * name cannot coexist, so {@link #configure} gives the new generation (a meta with a retired predecessor)
 * no SQL settings at all (Ignite adds a table to an existing cache only then), and {@link #attach} adds the table
 * once the old generation's caches are destroyed, with the functions kept by a cache of their own.
 */
public final class CollectionTables {
    /** SQL schema of every collection table and of vecgrid's SQL functions. */
    public static final String SCHEMA = "VECGRID";
    /** Cache that holds vecgrid's SQL functions once a collection's table was attached (see {@link #attach}). */
    public static final String FUNCTIONS_CACHE = "vecgrid-sql-functions";
    /** Name of the shard column. */
    public static final String SHARD_COLUMN = "_SHARD";

    /** Key fields of {@link io.vecgrid.shard.LocKey}, as the binary key object names them. */
    static final String KEY_PK = "pk";
    static final String KEY_SHARD = "shard";
    /**
     * Value field behind the vector column. Never stored (so the column reads NULL); named so that it cannot clash
     * with a scalar field (vecgrid's own field names start with two underscores and scalar fields cannot).
     */
    static final String VECTOR_FIELD = "__sqlVector";

    private CollectionTables() {
    }

    /**
     * Makes the rows cache of {@code meta} a SQL table: schema {@value #SCHEMA} and the table
     * unless {@code meta} is a new generation whose predecessor still holds it (see {@link #attach}).
     */
    public static void configure(CacheConfiguration<?, ?> rows, CollectionMeta meta) {
        // Ignite adds a table to an existing cache only if the cache has no SQL settings at all.
        if (meta.retired() != null)
            return;
        rows.setSqlSchema(SCHEMA);
        // vecgrid's functions live in FUNCTIONS_CACHE alone (created when vecgrid starts serving): registered by
        // every rows cache too, Calcite would see each function once per collection and fail to choose among the
        // copies for a NULL argument.
        rows.setQueryEntities(List.of(queryEntity(meta)));
    }

    /**
     * Adds the table to the rows cache of {@code meta} if it has none: for a generation of caches created while its
     * predecessor still held the table. Call once the predecessor's caches are destroyed. Idempotent.
     *
     * @throws VecgridException if Ignite refuses the table.
     */
    public static void attach(Ignite ignite, CollectionMeta meta) {
        IgniteCache<?, ?> rows = ignite.cache(meta.locsCache());
        if (rows == null)
            throw new VecgridException("cannot attach a SQL table to collection '" + meta.name() + "': its locations cache " +
                meta.locsCache() + " does not exist");
        CacheConfiguration<?, ?> cfg = rows.getConfiguration(CacheConfiguration.class);
        if (!cfg.getQueryEntities().isEmpty())
            return;
        createFunctionsCache(ignite);
        try {
            ((IgniteEx)ignite).context().query()
                .dynamicAddQueryEntity(meta.locsCache(), SCHEMA, queryEntity(meta), cfg.getQueryParallelism(), false)
                .get();
        }
        catch (IgniteCheckedException e) {
            SchemaOperationException op = e.getCause(SchemaOperationException.class);
            if (op != null && op.code() == SchemaOperationException.CODE_CACHE_ALREADY_INDEXED)
                return; // Attached meanwhile by another caller.
            throw new VecgridException("failed to attach SQL table " + SCHEMA + "." + tableName(meta.name()) +
                " to collection '" + meta.name() + "': " + e.getMessage(), e);
        }
    }

    /**
     * Creates {@value #FUNCTIONS_CACHE} if it does not exist, so that schema {@value #SCHEMA} and vecgrid's functions
     * (among them {@code VECGRID_CREATE_COLLECTION}) exist before the first collection does. Idempotent; nothing to do
     * without Ignite's SQL (ignite-indexing) on the classpath.
     */
    public static void createFunctionsCache(Ignite ignite) {
        if (!org.apache.ignite.internal.IgniteComponentType.INDEXING.inClassPath())
            return;
        ignite.getOrCreateCache(functionsCache());
    }

    /**
     * @return the configuration of {@value #FUNCTIONS_CACHE}, an empty cache that only holds vecgrid's functions in
     *      schema {@value #SCHEMA} for tables attached by {@link #attach}.
     */
    static CacheConfiguration<Object, Object> functionsCache() {
        CacheConfiguration<Object, Object> c = new CacheConfiguration<>(FUNCTIONS_CACHE);
        c.setCacheMode(CacheMode.REPLICATED);
        c.setSqlSchema(SCHEMA);
        c.setSqlFunctionClasses(functionClasses());
        return c;
    }

    /** @return the classes whose {@code @QuerySqlFunction} methods every rows cache registers. */
    public static Class<?>[] functionClasses() {
        return new Class<?>[] {VectorFunctions.class, TopKFunctions.class, CollectionFunctions.class,
            SearchFunction.class};
    }

    /**
     * @return the scalar fields the table shows, by column name, in table order (the rules of {@link #queryEntity}).
     */
    static LinkedHashMap<String, ScalarField> scalarColumns(io.vecgrid.api.CollectionSpec spec) {
        Set<String> taken = new HashSet<>(List.of(upper(spec.pkField()), SHARD_COLUMN, upper(spec.vectorField())));
        LinkedHashMap<String, ScalarField> res = new LinkedHashMap<>();
        for (ScalarField f : spec.scalarFields()) {
            if (f.name().equals(KEY_PK) || f.name().equals(KEY_SHARD) || !taken.add(upper(f.name())))
                continue;
            res.put(upper(f.name()), f);
        }
        return res;
    }

    /** @return the table's name: the collection name in upper case. */
    public static String tableName(String collection) {
        return collection.toUpperCase(Locale.ROOT);
    }

    /** @return the table of a collection's rows: key {@link io.vecgrid.shard.LocKey}, value the location type. */
    public static QueryEntity queryEntity(CollectionMeta meta) {
        String table = tableName(meta.name());
        QueryEntity e = new QueryEntity(io.vecgrid.shard.LocKey.class.getName(), meta.locType());
        e.setTableName(table);
        LinkedHashMap<String, String> fields = new LinkedHashMap<>();
        Map<String, String> aliases = new LinkedHashMap<>();
        Set<String> columns = new HashSet<>();

        String pkColumn = upper(meta.spec().pkField());
        fields.put(KEY_PK, Long.class.getName());
        aliases.put(KEY_PK, pkColumn);
        columns.add(pkColumn);
        columns.add(SHARD_COLUMN);
        columns.add(upper(meta.spec().vectorField()));

        for (ScalarField f : meta.spec().scalarFields()) {
            if (f.name().equals(KEY_PK) || f.name().equals(KEY_SHARD) || !columns.add(upper(f.name())))
                continue;
            fields.put(f.name(), f.type().javaType().getName());
            aliases.put(f.name(), upper(f.name()));
        }
        // The vector column is written by INSERT, MERGE and UPDATE (as text) and reads NULL: a row's vector is not
        // kept in the locations cache (a sealed row's lives only in its segment; VECTOR_OF reads it).
        fields.put(VECTOR_FIELD, String.class.getName());
        aliases.put(VECTOR_FIELD, upper(meta.spec().vectorField()));
        fields.put(KEY_SHARD, Integer.class.getName());
        aliases.put(KEY_SHARD, SHARD_COLUMN);

        e.setFields(fields);
        e.setAliases(aliases);
        e.setKeyFields(new LinkedHashSet<>(List.of(KEY_PK, KEY_SHARD)));
        QueryIndex pk = new QueryIndex(List.of(KEY_PK, KEY_SHARD), QueryIndexType.SORTED);
        pk.setName(table + "_PK");
        e.setIndexes(List.of(pk));
        return e;
    }

    private static String upper(String name) {
        return name.toUpperCase(Locale.ROOT);
    }
}
