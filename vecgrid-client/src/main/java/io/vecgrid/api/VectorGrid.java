package io.vecgrid.api;

import java.util.List;

/**
 * The Java entry point to vecgrid on a server node or thick client: {@code io.vecgrid.Vecgrid.of(ignite)}.
 * Thread-safe. Every method throws a subclass of {@link VecgridException}; bad input is rejected before anything
 * changes.
 */
public interface VectorGrid {
    /**
     * Creates a collection and its caches.
     *
     * @throws CollectionExistsException if the name is taken.
     * @throws InvalidRequestException if {@code replicaNumber} exceeds the number of server nodes.
     */
    CollectionDescription createCollection(CollectionSpec spec);

    /** @throws CollectionNotFoundException if there is no such collection. */
    CollectionDescription describeCollection(String name);

    /** @return names of all collections, sorted. */
    List<String> listCollections();

    /**
     * Drops a collection with its rows, segments and caches.
     *
     * @throws CollectionNotFoundException if there is no such collection.
     */
    void dropCollection(String name);

    /**
     * Inserts new rows. Every row is held by every replica before this returns.
     *
     * @return number of rows inserted.
     * @throws InvalidRequestException if a primary key already exists (use {@link #upsert}), or on any invalid row.
     */
    long insert(String collection, List<VectorRow> rows);

    /** Inserts rows, replacing those whose primary key exists. @return number of rows written. */
    long upsert(String collection, List<VectorRow> rows);

    /** Deletes rows by primary key; unknown keys are ignored. @return number of rows deleted. */
    long delete(String collection, long... pks);

    /**
     * Reads rows by primary key, in the order asked; missing keys are left out.
     *
     * @param outputFields fields to return ({@code null}: all scalar fields and the vector); name the vector field to
     *      get the vector.
     */
    List<VectorRow> get(String collection, long[] pks, List<String> outputFields);

    /** @return number of live rows. */
    long count(String collection);

    /**
     * Top-k search over sealed segments (served by their in-memory replicas) and growing rows.
     *
     * @throws SegmentUnavailableException if a segment of the target has no serviceable copy and the request did
     *      not allow partial results.
     * @throws SearchTimeoutException if the search did not complete within its timeout.
     */
    SearchResult search(SearchRequest request);

    /**
     * @return the collection's replica groups: nodes, shard leaders, segments per node with serviceable flags.
     * @throws CollectionNotFoundException if there is no such collection.
     */
    ReplicaInfo replicas(String collection);

    /**
     * Changes the number of in-memory replicas of a loaded collection, while it keeps serving: new copies are built
     * beside the old ones, the collection switches to them atomically, then the old ones are dropped.
     *
     * @param replicas new replica number, 1..number of server nodes.
     * @return the collection after the change.
     */
    CollectionDescription setReplicaNumber(String collection, int replicas);

    /** Seals every growing row of the collection into sealed segments now; returns when they are in the target. */
    void flush(String collection);
}
