package io.vecgrid.client;

import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.VectorRow;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One vecgrid operation sent by a thin client to {@value #TASK_NAME}: the operation and its arguments, as plain
 * serializable values (the task deserializes them with Ignite's binary marshaller and validates them again, as it does
 * every request). Build one with the static factories; {@link VecgridClient} does it for you.
 *
 * <pre>
 * VecgridResponse r = igniteClient.compute().execute(VecgridRequest.TASK_NAME, VecgridRequest.count("docs"));
 * long rows = (Long)r.resultOrThrow();
 * </pre>
 *
 * <p>Immutable.
 */
public final class VecgridRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * Class name of the server-side compute task that serves every request; a public contract (thin clients call it by
     * this name through {@code IgniteClient.compute().execute(TASK_NAME, request)}).
     */
    public static final String TASK_NAME = "io.vecgrid.client.task.VecgridTask";

    /**
     * The operations, one per method of {@link io.vecgrid.api.VectorGrid}, plus {@link #STATUS} and the backup
     * operations.
     */
    public enum Op {
        /** {@code spec} → {@link io.vecgrid.api.CollectionDescription}. */
        CREATE(false),
        /** {@code collection} → {@link io.vecgrid.api.CollectionDescription}. */
        DESCRIBE(true),
        /** → {@code List<String>}, sorted. */
        LIST(true),
        /** {@code collection} → {@code null}. */
        DROP(false),
        /** {@code collection, rows} → {@code Long} rows inserted. */
        INSERT(false),
        /** {@code collection, rows} → {@code Long} rows written. */
        UPSERT(true),
        /** {@code collection, pks} → {@code Long} rows deleted. */
        DELETE(true),
        /** {@code collection, pks, outputFields} → {@code List<VectorRow>}. */
        GET(true),
        /** {@code collection} → {@code Long} live rows. */
        COUNT(true),
        /** {@code collection} → {@code null}, once every growing row is sealed. */
        FLUSH(true),
        /** {@code search} → {@link io.vecgrid.api.SearchResult}. */
        SEARCH(true),
        /** {@code collection} → {@link io.vecgrid.api.ReplicaInfo}. */
        REPLICAS(true),
        /** {@code collection, replicas} → {@link io.vecgrid.api.CollectionDescription}. */
        SET_REPLICA_NUMBER(false),
        /** → {@link ClusterStatus}. */
        STATUS(true),
        /**
         * → {@link ClusterStatus.Node}: the node that served the request (which node a connection reached; cheap,
         * touches no collection).
         */
        NODE(true),
        /** {@code backup} → {@link io.vecgrid.api.BackupInfo} of the backup taken. */
        BACKUP_CREATE(false),
        /** → {@code List<BackupInfo>}, oldest first. */
        BACKUP_LIST(true),
        /**
         * {@code backup, collections} (empty: all the backup holds) → {@code List<CollectionDescription>} of the
         * restored collections.
         */
        BACKUP_RESTORE(false);

        private final boolean retriable;

        Op(boolean retriable) {
            this.retriable = retriable;
        }

        /**
         * @return {@code true} if running the operation twice has the effect of running it once, so a client may resend
         *     it when the connection broke before the answer came.
         */
        public boolean retriable() {
            return retriable;
        }

        /**
         * @return whether the operation only reads, so the client may send it through a second connection when the
         *     first is slow to answer and take whichever answer comes first (a write sent twice could arrive late and
         *     undo a later write).
         */
        public boolean hedged() {
            return switch (this) {
                case DESCRIBE, LIST, GET, COUNT, SEARCH, REPLICAS, STATUS, NODE, BACKUP_LIST -> true;
                default -> false;
            };
        }
    }

    private final Op op;
    private final String collection;
    private final CollectionSpec spec;
    private final ArrayList<VectorRow> rows;
    private final long[] pks;
    private final ArrayList<String> outputFields;
    private final SearchRequest search;
    private final int replicas;
    private final String backup;
    private final ArrayList<String> collections;

    private VecgridRequest(Op op, String collection, CollectionSpec spec, List<VectorRow> rows, long[] pks,
        List<String> outputFields, SearchRequest search, int replicas) {
        this(op, collection, spec, rows, pks, outputFields, search, replicas, null, null);
    }

    private VecgridRequest(Op op, String collection, CollectionSpec spec, List<VectorRow> rows, long[] pks,
        List<String> outputFields, SearchRequest search, int replicas, String backup, List<String> collections) {
        this.op = op;
        this.collection = collection;
        this.spec = spec;
        // Plain ArrayLists: the binary marshaller carries them as they are, whatever list the caller passed.
        this.rows = rows == null ? null : new ArrayList<>(rows);
        this.pks = pks;
        this.outputFields = outputFields == null ? null : new ArrayList<>(outputFields);
        this.search = search;
        this.replicas = replicas;
        this.backup = backup;
        this.collections = collections == null ? null : new ArrayList<>(collections);
    }

    public static VecgridRequest create(CollectionSpec spec) {
        return new VecgridRequest(Op.CREATE, spec == null ? null : spec.name(), spec, null, null, null, null, 0);
    }

    public static VecgridRequest describe(String collection) {
        return of(Op.DESCRIBE, collection);
    }

    public static VecgridRequest list() {
        return of(Op.LIST, null);
    }

    public static VecgridRequest drop(String collection) {
        return of(Op.DROP, collection);
    }

    public static VecgridRequest insert(String collection, List<VectorRow> rows) {
        return new VecgridRequest(Op.INSERT, collection, null, rows, null, null, null, 0);
    }

    public static VecgridRequest upsert(String collection, List<VectorRow> rows) {
        return new VecgridRequest(Op.UPSERT, collection, null, rows, null, null, null, 0);
    }

    public static VecgridRequest delete(String collection, long... pks) {
        return new VecgridRequest(Op.DELETE, collection, null, null, pks, null, null, 0);
    }

    /** @param outputFields fields to return ({@code null}: all scalar fields and the vector). */
    public static VecgridRequest get(String collection, long[] pks, List<String> outputFields) {
        return new VecgridRequest(Op.GET, collection, null, null, pks, outputFields, null, 0);
    }

    public static VecgridRequest count(String collection) {
        return of(Op.COUNT, collection);
    }

    public static VecgridRequest flush(String collection) {
        return of(Op.FLUSH, collection);
    }

    public static VecgridRequest search(SearchRequest search) {
        return new VecgridRequest(Op.SEARCH, search == null ? null : search.collection(), null, null, null, null, search, 0);
    }

    public static VecgridRequest replicas(String collection) {
        return of(Op.REPLICAS, collection);
    }

    public static VecgridRequest setReplicaNumber(String collection, int replicas) {
        return new VecgridRequest(Op.SET_REPLICA_NUMBER, collection, null, null, null, null, null, replicas);
    }

    public static VecgridRequest status() {
        return of(Op.STATUS, null);
    }

    /** Asks which node serves this connection ({@link Op#NODE}). */
    public static VecgridRequest node() {
        return of(Op.NODE, null);
    }

    /** Takes a backup (an Ignite snapshot) of every collection. */
    public static VecgridRequest backupCreate(String backup) {
        return new VecgridRequest(Op.BACKUP_CREATE, null, null, null, null, null, null, 0, backup, null);
    }

    public static VecgridRequest backupList() {
        return of(Op.BACKUP_LIST, null);
    }

    /** @param collections collections to restore; none: every collection the backup holds. */
    public static VecgridRequest backupRestore(String backup, List<String> collections) {
        return new VecgridRequest(Op.BACKUP_RESTORE, null, null, null, null, null, null, 0, backup,
            collections == null ? List.of() : collections);
    }

    private static VecgridRequest of(Op op, String collection) {
        return new VecgridRequest(op, collection, null, null, null, null, null, 0);
    }

    public Op op() {
        return op;
    }

    /** @return the collection concerned, or {@code null} for {@link Op#LIST}, {@link Op#STATUS}, {@link Op#NODE} and backups. */
    public String collection() {
        return collection;
    }

    public CollectionSpec spec() {
        return spec;
    }

    /** @return rows to write (not copied), or {@code null}. */
    public List<VectorRow> rows() {
        return rows;
    }

    /** @return primary keys (not copied), or {@code null}. */
    public long[] pks() {
        return pks;
    }

    /** @return output fields of {@link Op#GET}, or {@code null} for all. */
    public List<String> outputFields() {
        return outputFields;
    }

    public SearchRequest search() {
        return search;
    }

    /** @return the new replica number of {@link Op#SET_REPLICA_NUMBER}. */
    public int replicas() {
        return replicas;
    }

    /** @return the backup of the backup operations, or {@code null}. */
    public String backup() {
        return backup;
    }

    /** @return collections of {@link Op#BACKUP_RESTORE} (not copied; empty: all), or {@code null}. */
    public List<String> collections() {
        return collections;
    }

    @Override public String toString() {
        return "VecgridRequest[" + op + (collection == null ? "" : " '" + collection + "'") +
            (backup == null ? "" : " backup '" + backup + "'") + "]";
    }
}
