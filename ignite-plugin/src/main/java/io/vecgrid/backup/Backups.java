package io.vecgrid.backup;

import io.vecgrid.Vecgrid;
import io.vecgrid.api.BackupCollection;
import io.vecgrid.api.BackupExistsException;
import io.vecgrid.api.BackupInfo;
import io.vecgrid.api.CollectionDescription;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.VecgridException;
import io.vecgrid.cluster.ClusterInfo;
import io.vecgrid.collection.CollectionManager;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.MetaStore;
import io.vecgrid.plugin.NodeCall;
import io.vecgrid.search.RoutingCache;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.IgniteLogger;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cluster.ClusterNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Backups of every vecgrid collection, taken and restored with Ignite snapshots ({@link org.apache.ignite.IgniteSnapshot}).
 *
 * <p><b>Taking one.</b> A backup is one Ignite snapshot of every persistent cache, so each collection's state cache
 * (its target and a copy of its metadata) and its data caches (rows, segments, delete marks) are in it together, and
 * consistent: Ignite takes the snapshot at one point between transactions, and every vecgrid write, seal and target
 * change is a transaction. The cluster keeps serving meanwhile (writes pause for the moment the point is taken). After
 * the snapshot, vecgrid writes its {@link Manifest} next to it on every node.
 *
 * <p><b>Restoring.</b> See {@link Restore}: Ignite restores the collections' caches, and vecgrid re-creates their
 * catalog entries from the metadata copy each state cache holds.
 *
 * <p>Backups need native persistence (Ignite snapshots copy persistent data files): on an in-memory cluster every
 * operation is refused with a message saying so. Every operation runs on a server node; called on a thick client it
 * is sent to one.
 *
 * <p>Thread-safety: thread-safe and stateless. Ignite runs one snapshot operation (take or restore) at a time in the
 * cluster and refuses another meanwhile; the refusal is reported as such.
 */
public final class Backups {
    private final Ignite ignite;
    private final MetaStore metaStore;
    private final CollectionManager collections;
    private final RoutingCache routing;
    private final IgniteLogger log;

    public Backups(Ignite ignite, MetaStore metaStore, CollectionManager collections, RoutingCache routing) {
        this.ignite = ignite;
        this.metaStore = metaStore;
        this.collections = collections;
        this.routing = routing;
        this.log = ignite.log().getLogger(Backups.class);
    }

    /**
     * Takes a backup of every collection, while the cluster serves.
     *
     * @param name the backup's name: letters, digits, {@code _}.
     * @return the backup taken.
     * @throws InvalidRequestException bad name, or an in-memory cluster.
     * @throws BackupExistsException a backup of that name exists.
     */
    public BackupInfo create(String name) {
        if (onClient())
            return onServer(ig -> Vecgrid.local(ig).backups().create(name));
        requireBackups();
        BackupNames.check(name);
        if (BackupCatalog.gather(ignite, name).containsKey(name))
            throw new BackupExistsException(name);
        // Before the request: the snapshot's point comes after it, so every write acknowledged before this moment is
        // in the backup.
        long takenAt = System.currentTimeMillis();
        try {
            ignite.snapshot().createSnapshot(name).get();
        }
        catch (RuntimeException e) {
            throw failure(name, "could not be taken (nothing was kept)", e, true);
        }
        BackupCatalog.Backup b = BackupCatalog.gather(ignite, name).get(name);
        if (b == null || !b.complete()) {
            throw new VecgridException("Ignite reported backup '" + name + "' taken, but no server node shows its " +
                "files in its snapshot directory (IgniteConfiguration.snapshotPath)");
        }
        Manifest m = describe(name, takenAt, b);
        try {
            ignite.compute(ignite.cluster().forServers()).broadcast(new ManifestWriter(m));
        }
        catch (RuntimeException e) {
            // The backup is whole without it: list shows layouts unknown, and a restore checks the layout itself.
            log.warning("Took backup '" + name + "', but could not write its vecgrid manifest on every server node: " +
                rootMessage(e));
        }
        BackupInfo info = BackupCatalog.gather(ignite, name).get(name).info();
        log.info("Took backup '" + name + "' (Ignite snapshot) of " + info.collections().size() + " collection(s) " +
            info.collections() + " on " + info.nodes().size() + " server node(s)");
        return info;
    }

    /** @return every backup a server node holds (complete parts only), oldest first. */
    public List<BackupInfo> list() {
        if (onClient())
            return onServer(ig -> new ArrayList<>(Vecgrid.local(ig).backups().list()));
        requireBackups();
        List<BackupInfo> res = new ArrayList<>();
        for (BackupCatalog.Backup b : BackupCatalog.gather(ignite, null).values()) {
            if (b.complete())
                res.add(b.info());
        }
        res.sort(Comparator.comparingLong(BackupInfo::takenAtMillis).thenComparing(BackupInfo::name));
        return res;
    }

    /**
     * Restores collections from a backup: all it holds, or those named. None of them may exist now; a collection that
     * does is named in the error, and nothing is restored. Returns once each collection serves (every segment has a
     * serviceable copy), or after two minutes of waiting for that.
     *
     * @param names collections to restore; empty or {@code null}: all the backup holds.
     * @return the restored collections, described.
     */
    public List<CollectionDescription> restore(String name, List<String> names) {
        List<String> wanted = names == null ? List.of() : new ArrayList<>(names);
        if (onClient())
            return onServer(ig -> new ArrayList<>(Vecgrid.local(ig).backups().restore(name, wanted)));
        requireBackups();
        BackupNames.check(name);
        return new Restore(ignite, metaStore, collections, routing, log).run(name, wanted);
    }

    private boolean onClient() {
        return ignite.cluster().localNode().isClient();
    }

    private <T> T onServer(NodeCall<T> call) {
        ClusterNode server = ignite.cluster().forServers().forRandom().node();
        if (server == null)
            throw new VecgridException("no server node to run the backup operation on");
        return NodeCall.callOn(ignite, server, call);
    }

    /** @throws InvalidRequestException on an in-memory cluster. */
    private void requireBackups() {
        if (!ClusterInfo.persistent(ignite)) {
            throw new InvalidRequestException("backups need Ignite native persistence, and this cluster keeps its data " +
                "in memory only: start the nodes with the persistent configuration (config/default-config.xml) to take " +
                "and restore backups");
        }
        metaStore.collections(); // Fails with the reason when vecgrid does not serve (the cluster is inactive).
    }

    /** @return the manifest of a backup just taken: each collection it holds, with its layout and schema. */
    private Manifest describe(String name, long takenAt, BackupCatalog.Backup b) {
        List<Manifest.Entry> entries = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : b.stateCaches().entrySet()) {
            Manifest.Entry chosen = null;
            for (String stateCache : e.getValue()) {
                chosen = entry(e.getKey(), stateCache);
                if (chosen != null)
                    break;
            }
            if (chosen == null) {
                // Dropped between the snapshot and now: its metadata is in the backup only, read at restore.
                chosen = new Manifest.Entry(e.getValue().get(0), new BackupCollection(e.getKey(),
                    BackupCollection.UNKNOWN_LAYOUT, 0, null, null, 0, 0, null));
            }
            entries.add(chosen);
        }
        return new Manifest(name, takenAt, entries);
    }

    /**
     * @return the manifest entry of a collection from its live state cache's metadata copy, or {@code null} if that
     *     cache or copy is gone. Only facts that never change over a collection's life are taken (they are the same
     *     at the snapshot's point), and the replica number, which is only shown.
     */
    private Manifest.Entry entry(String name, String stateCache) {
        BinaryObject meta;
        try {
            IgniteCache<String, Object> c = ignite.cache(stateCache);
            Object v = c == null ? null : c.withKeepBinary().get(MetaStore.META_KEY);
            meta = v instanceof BinaryObject ? (BinaryObject)v : null;
        }
        catch (RuntimeException e) {
            return null;
        }
        if (meta == null)
            return null;
        Integer layout = meta.hasField("layout") ? meta.field("layout") : null;
        int lay = layout == null ? BackupCollection.UNKNOWN_LAYOUT : layout;
        try {
            CollectionMeta m = meta.deserialize();
            return new Manifest.Entry(stateCache, new BackupCollection(name, lay, m.spec().dimension(),
                m.spec().metric(), m.spec().index().type(), m.spec().shards(), m.spec().replicas(), null));
        }
        catch (RuntimeException e) {
            // Metadata of another vecgrid version: the layout is what matters.
            return new Manifest.Entry(stateCache, new BackupCollection(name, lay, 0, null, null, 0, 0, null));
        }
    }

    /** @return a vecgrid error for an Ignite snapshot failure, saying what happened in Ignite's words. */
    static VecgridException failure(String backup, String what, Throwable e, boolean creating) {
        if (e instanceof VecgridException)
            return (VecgridException)e;
        String msg = rootMessage(e);
        if (creating && msg.contains("already exists"))
            return new BackupExistsException(backup);
        if (msg.contains("in progress") || msg.contains("not completed") || msg.contains("Parallel snapshot")) {
            return new VecgridException("backup '" + backup + "' " + what + ": another backup or restore is running in " +
                "the cluster (" + msg + "); retry once it has finished");
        }
        return new VecgridException("backup '" + backup + "' " + what + ": " + msg);
    }

    /** @return the innermost non-blank message of {@code t}'s causes. */
    static String rootMessage(Throwable t) {
        String msg = String.valueOf(t);
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable c = t; c != null && seen.put(c, true) == null; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank())
                msg = c.getMessage();
        }
        return msg;
    }
}
