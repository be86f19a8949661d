package io.vecgrid.api;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A backup: an Ignite snapshot of every persistent cache of the cluster, taken at one consistent point, and the vecgrid
 * collections it holds. What {@code backup create} returns and {@code backup list} lists.
 *
 * <p>Immutable. Plain {@link ArrayList}s inside, so that Ignite's binary marshaller carries it to thin clients.
 */
public final class BackupInfo implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final long takenAtMillis;
    private final ArrayList<BackupCollection> collections;
    private final ArrayList<String> nodes;
    private final boolean manifest;

    /**
     * @param takenAtMillis when the backup was taken (epoch ms), or -1 if unknown.
     * @param nodes consistent ids of the server nodes that hold a part of it.
     * @param manifest whether vecgrid took it (and wrote its manifest); {@code false} for an Ignite snapshot taken
     *     another way, whose collections are known by name only.
     */
    public BackupInfo(String name, long takenAtMillis, List<BackupCollection> collections, List<String> nodes,
        boolean manifest) {
        this.name = name;
        this.takenAtMillis = takenAtMillis;
        this.collections = new ArrayList<>(collections);
        this.nodes = new ArrayList<>(nodes);
        this.manifest = manifest;
    }

    /** @return the backup's name (the Ignite snapshot's name). */
    public String name() {
        return name;
    }

    /**
     * @return when the backup was taken, epoch ms, or -1 if unknown. For a backup vecgrid took: the moment it asked
     *     Ignite for the snapshot, so every write acknowledged before it is in the backup. For another snapshot: when
     *     its metadata file was written (a little after its consistent point).
     */
    public long takenAtMillis() {
        return takenAtMillis;
    }

    /** @return the collections it holds, sorted by name. */
    public List<BackupCollection> collections() {
        return Collections.unmodifiableList(collections);
    }

    /** @return the collection named {@code name}, or {@code null}. */
    public BackupCollection collection(String name) {
        for (BackupCollection c : collections) {
            if (c.name().equals(name))
                return c;
        }
        return null;
    }

    /** @return consistent ids of the server nodes holding a part of it, sorted. */
    public List<String> nodes() {
        return Collections.unmodifiableList(nodes);
    }

    /** @return whether vecgrid took it and wrote its manifest. */
    public boolean manifest() {
        return manifest;
    }

    @Override public String toString() {
        return "BackupInfo[" + name + ", collections=" + collections + ", nodes=" + nodes + "]";
    }
}
