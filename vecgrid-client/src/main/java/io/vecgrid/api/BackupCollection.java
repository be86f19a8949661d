package io.vecgrid.api;

import java.io.Serializable;

/**
 * One collection a backup holds, as {@code backup list} reports it: its name and the stored-data layout it was
 * written in, with the schema facts that never change over a collection's life (dimension, metric, index, shards).
 * Those facts come from the manifest vecgrid writes next to a backup it takes; for an Ignite snapshot taken another
 * way ({@code control.sh --snapshot create}) only the name is known and the rest is unknown (0 / {@code null}).
 *
 * <p>Immutable.
 */
public final class BackupCollection implements Serializable {
    private static final long serialVersionUID = 1L;

    /** {@link #layout()} when it is not known. */
    public static final int UNKNOWN_LAYOUT = -1;

    private final String name;
    private final int layout;
    private final int dimension;
    private final Metric metric;
    private final IndexType index;
    private final int shards;
    private final int replicaNumber;
    private final String problem;

    /**
     * @param layout stored-data layout version, or {@link #UNKNOWN_LAYOUT}.
     * @param problem why this vecgrid cannot restore the collection, or {@code null} if it can (as far as is known
     *     before restoring).
     */
    public BackupCollection(String name, int layout, int dimension, Metric metric, IndexType index, int shards,
        int replicaNumber, String problem) {
        this.name = name;
        this.layout = layout;
        this.dimension = dimension;
        this.metric = metric;
        this.index = index;
        this.shards = shards;
        this.replicaNumber = replicaNumber;
        this.problem = problem;
    }

    public String name() {
        return name;
    }

    /** @return layout version of the stored data, or {@link #UNKNOWN_LAYOUT} (no manifest). */
    public int layout() {
        return layout;
    }

    /** @return vector dimension, or 0 if unknown. */
    public int dimension() {
        return dimension;
    }

    /** @return metric, or {@code null} if unknown. */
    public Metric metric() {
        return metric;
    }

    /** @return index type of sealed segments, or {@code null} if unknown. */
    public IndexType index() {
        return index;
    }

    /** @return shards, or 0 if unknown. */
    public int shards() {
        return shards;
    }

    /** @return replica number when the backup was taken (the restored collection has it too), or 0 if unknown. */
    public int replicaNumber() {
        return replicaNumber;
    }

    /** @return why this vecgrid cannot restore it (another layout), or {@code null}. */
    public String problem() {
        return problem;
    }

    @Override public String toString() {
        return name + " (layout " + (layout == UNKNOWN_LAYOUT ? "unknown" : layout) + ")";
    }
}
