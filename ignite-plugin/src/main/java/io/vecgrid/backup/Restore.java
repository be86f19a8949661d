package io.vecgrid.backup;

import io.vecgrid.api.BackupCollection;
import io.vecgrid.collection.CacheWriteGuard;
import io.vecgrid.api.BackupNotFoundException;
import io.vecgrid.api.CollectionDescription;
import io.vecgrid.api.CollectionExistsException;
import io.vecgrid.api.CollectionState;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.VecgridException;
import io.vecgrid.collection.CollectionManager;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.CollectionTarget;
import io.vecgrid.collection.MetaStore;
import io.vecgrid.collection.SegmentRef;
import io.vecgrid.search.RoutingCache;
import io.vecgrid.search.RoutingTable;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.IgniteLogger;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.transactions.Transaction;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One restore of collections from a backup, in two Ignite restores so that what comes back is exactly the backup's
 * consistent point, whatever happened between that point and the manifest:
 * <ol>
 *   <li>checks that change nothing: the backup exists, holds the collections asked for, in this vecgrid's layout
 *   (from the manifest), and none of them exists now;</li>
 *   <li>Ignite restores the collections' state caches; the metadata copy each holds ({@link MetaStore#META_KEY}) is the
 *   collection's metadata at the backup's point, and names the generation of data caches to bring back. Its layout
 *   is checked again (a backup without a manifest is checked only here); if a check fails the state caches are
 *   destroyed again, so nothing is left changed;</li>
 *   <li>the names are reserved in the catalog (CREATING, as a create does: a concurrent create of the same name then
 *   fails, and so would this restore if one got there first);</li>
 *   <li>Ignite restores the data caches that metadata names: rows, and the cache group of segments and delete marks;</li>
 *   <li>one transaction turns every collection READY in the catalog, from that metadata ({@link CollectionMeta#restored()}:
 *   READY on its current generation, without a retired generation or one a replica change was building); the target
 *   came back with the state cache. The nodes then load the segment copies and scan the growing rows of the caches
 *   they own, as after a restart; the restore returns once every segment has a serviceable copy.</li>
 * </ol>
 * A failure after step 2 destroys what was restored and releases the names.
 *
 * <p>Not thread-safe: one instance per restore (Ignite runs one snapshot restore at a time in the cluster).
 */
final class Restore {
    /** How long a restore waits for every restored segment to have a serviceable copy, ms. */
    private static final long SERVE_WAIT_MILLIS = 120_000;
    /** How long a restore waits for the files of a cache destroyed just before to be gone, ms. */
    private static final long FILES_GONE_WAIT_MILLIS = 30_000;

    private final Ignite ignite;
    private final MetaStore metaStore;
    private final CollectionManager collections;
    private final RoutingCache routing;
    private final IgniteLogger log;

    Restore(Ignite ignite, MetaStore metaStore, CollectionManager collections, RoutingCache routing, IgniteLogger log) {
        this.ignite = ignite;
        this.metaStore = metaStore;
        this.collections = collections;
        this.routing = routing;
        this.log = log;
    }

    List<CollectionDescription> run(String backup, List<String> asked) {
        BackupCatalog.Backup b = BackupCatalog.gather(ignite, backup).get(backup);
        if (b == null || !b.complete())
            throw new BackupNotFoundException(backup);
        TreeMap<String, List<String>> held = b.stateCaches();
        if (held.isEmpty())
            throw new InvalidRequestException("backup '" + backup + "' holds no vecgrid collection; nothing to restore");
        Set<String> names = new LinkedHashSet<>(asked.isEmpty() ? held.keySet() : asked);
        for (String n : names) {
            if (!held.containsKey(n)) {
                throw new InvalidRequestException("backup '" + backup + "' holds no collection '" + n + "'; it holds " +
                    String.join(", ", held.keySet()) + ". Nothing was restored");
            }
        }
        Manifest manifest = b.manifest();
        for (String n : names) {
            Manifest.Entry e = manifest == null ? null : manifest.entry(n);
            if (e != null && e.collection.layout() != BackupCollection.UNKNOWN_LAYOUT)
                checkLayout(backup, n, e.collection.layout());
        }
        for (String n : names)
            requireAbsent(backup, n);
        for (String n : names)
            requireNoOrphans(n);
        List<String> stateCaches = new ArrayList<>();
        for (String n : names)
            stateCaches.addAll(held.get(n));

        wholeConfigs(backup);
        igniteRestore(backup, stateCaches, "its collections' state caches");
        Map<String, CollectionMeta> metas;
        try {
            metas = readMetas(backup, names, held, b.groups());
            reserve(backup, metas.values());
        }
        catch (RuntimeException e) {
            destroyQuietly(stateCaches);
            throw e;
        }
        List<String> dataGroups = new ArrayList<>();
        for (CollectionMeta m : metas.values()) {
            dataGroups.add(m.rowsCache());
            dataGroups.add(m.locsCache());
            dataGroups.add(m.segmentGroup());
        }
        try {
            igniteRestore(backup, dataGroups, "the data caches of " + metas.keySet());
            publish(metas.values());
        }
        catch (RuntimeException e) {
            List<String> caches = new ArrayList<>();
            for (CollectionMeta m : metas.values())
                caches.addAll(io.vecgrid.collection.CollectionCaches.names(m));
            destroyQuietly(caches);
            release(metas.values());
            destroyQuietly(stateCaches);
            throw e;
        }
        log.info("Restored collection(s) " + metas.keySet() + " from backup '" + backup + "'");
        awaitServing(backup, metas.values());
        List<CollectionDescription> res = new ArrayList<>();
        for (String n : metas.keySet())
            res.add(collections.describe(n));
        return res;
    }

    private static void checkLayout(String backup, String name, int layout) {
        if (layout != CollectionMeta.LAYOUT) {
            throw new InvalidRequestException("backup '" + backup + "' holds collection '" + name + "' in stored-data " +
                "layout " + layout + ", and this vecgrid reads layout " + CollectionMeta.LAYOUT + " only: restore it " +
                "with a vecgrid version that reads layout " + layout + ". Nothing was restored");
        }
    }

    private void requireAbsent(String backup, String name) {
        if (metaStore.meta(name) != null) {
            throw new CollectionExistsException(name, "drop it first ('vecgrid drop " + name + "') to restore it from " +
                "backup '" + backup + "'. Nothing was restored");
        }
    }

    /**
     * Refuses a name some of whose caches exist without a catalog entry: Ignite would refuse to restore over them, and
     * they would be served by nothing. They are left by a drop that was interrupted, or by an Ignite-level restore
     * ({@code control.sh --snapshot restore}), which brings caches back but not vecgrid's catalog entry.
     */
    private void requireNoOrphans(String name) {
        List<String> orphans = new ArrayList<>();
        for (String cache : ignite.cacheNames()) {
            for (String prefix : List.of(CollectionMeta.STATE_CACHE_PREFIX, "vecgrid_rows_", "vecgrid_segments_",
                "vecgrid_deletes_")) {
                // Every per-collection cache is named prefix + name + '_' + an id without '_'.
                String[] nameAndId = cache.startsWith(prefix) ?
                    BackupCatalog.parseStateCache(CollectionMeta.STATE_CACHE_PREFIX + cache.substring(prefix.length())) : null;
                if (nameAndId != null && nameAndId[0].equals(name))
                    orphans.add(cache);
            }
        }
        if (!orphans.isEmpty()) {
            orphans.sort(null);
            throw new InvalidRequestException("caches " + orphans + " of collection '" + name + "' exist, but the " +
                "collection is not in vecgrid's catalog (left by an interrupted drop, or restored with 'control.sh " +
                "--snapshot restore', which does not bring the catalog entry back): destroy them ('scripts/control.sh " +
                "--cache destroy --caches " + String.join(",", orphans) + "') and restore again with 'vecgrid backup " +
                "restore'. Nothing was restored");
        }
    }

    /**
     * Has every server node write the backup's cache configurations back in one piece ({@link NodeSnapshotConfigs}),
     * so that Ignite starts the restored caches with their interceptors. Changes nothing a restore could miss.
     */
    private void wholeConfigs(String backup) {
        try {
            ignite.compute(ignite.cluster().forServers()).broadcast(new NodeSnapshotConfigs(backup));
        }
        catch (RuntimeException e) {
            throw Backups.failure(backup, "could not be restored (preparing its cache configurations; nothing was " +
                "restored)", e, false);
        }
    }

    /**
     * Runs one Ignite restore of {@code groups} from the snapshot; Ignite undoes a failed one itself. A cache destroyed
     * just before (the collection dropped a moment ago, or a state cache this restore destroyed again) still has its
     * files on some node for a moment after {@code destroyCache} returns: Ignite deletes them asynchronously and
     * refuses the restore meanwhile ("directory is not empty"), so that refusal is retried for a while.
     */
    private void igniteRestore(String backup, Collection<String> groups, String what) {
        long deadline = System.currentTimeMillis() + FILES_GONE_WAIT_MILLIS;
        for (int attempt = 1; ; attempt++) {
            try {
                ignite.snapshot().restoreSnapshot(backup, new ArrayList<>(groups)).get();
                return;
            }
            catch (RuntimeException e) {
                String msg = Backups.rootMessage(e);
                if (msg.contains("directory is not empty") && System.currentTimeMillis() < deadline) {
                    sleep(Math.min(1_000, 100L * attempt), "nothing was restored");
                    continue;
                }
                throw Backups.failure(backup, "could not be restored (Ignite restoring " + what + "; nothing was " +
                    "restored)", e, false);
            }
        }
    }

    private static void sleep(long ms, String state) {
        try {
            Thread.sleep(ms);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VecgridException("interrupted while restoring a backup (" + state + ")");
        }
    }

    /**
     * @return the metadata of each collection at the backup's point, read from its restored state cache (the one
     *     that served then, if the snapshot holds two of one name), checked: this vecgrid's layout, a collection
     *     that served, whose data caches the snapshot holds. The state caches not chosen are destroyed.
     */
    private Map<String, CollectionMeta> readMetas(String backup, Set<String> names, Map<String, List<String>> held,
        Set<String> groups) {
        Map<String, CollectionMeta> res = new LinkedHashMap<>();
        for (String n : names) {
            CollectionMeta chosen = null;
            List<String> others = new ArrayList<>();
            BinaryObject unusable = null;
            for (String sc : held.get(n)) {
                IgniteCache<String, Object> c = ignite.cache(sc);
                Object v = c == null ? null : c.withKeepBinary().get(MetaStore.META_KEY);
                BinaryObject bo = v instanceof BinaryObject ? (BinaryObject)v : null;
                Integer layout = bo != null && bo.hasField("layout") ? bo.field("layout") : null;
                if (bo != null)
                    checkLayout(backup, n, layout == null ? BackupCollection.UNKNOWN_LAYOUT : layout);
                CollectionMeta m = bo == null ? null : bo.deserialize();
                if (chosen == null && m != null &&
                    (m.state() == CollectionState.READY || m.state() == CollectionState.RESHAPING))
                    chosen = m;
                else {
                    others.add(sc);
                    if (bo != null)
                        unusable = bo;
                }
            }
            if (chosen == null) {
                String state = unusable == null ? "still being created" : "being " +
                    ((CollectionMeta)unusable.deserialize()).state().name().toLowerCase(java.util.Locale.ROOT);
                throw new InvalidRequestException("collection '" + n + "' was " + state + " when backup '" + backup +
                    "' was taken, and cannot be restored from it" + (names.size() > 1 ? " (name the others with " +
                    "--collection)" : "") + ". Nothing was restored");
            }
            for (String g : List.of(chosen.rowsCache(), chosen.locsCache(), chosen.segmentGroup())) {
                if (!groups.contains(g)) {
                    throw new VecgridException("backup '" + backup + "' lacks cache '" + g + "' of collection '" + n +
                        "' (its files are missing from every node's snapshot directory). Nothing was restored");
                }
            }
            destroyQuietly(others);
            res.put(n, chosen);
        }
        return res;
    }

    /** Reserves the names, all or none. */
    private void reserve(String backup, Collection<CollectionMeta> metas) {
        try (Transaction tx = metaStore.txStart()) {
            for (CollectionMeta m : metas)
                requireAbsent(backup, m.name());
            try (CacheWriteGuard.Scope internal = CacheWriteGuard.internal()) {
                for (CollectionMeta m : metas)
                    metaStore.collections().put(m.name(), m.restored().withState(CollectionState.CREATING));
            }
            tx.commit();
        }
    }

    /** Turns every restored collection READY, in one transaction, if its reservation still stands. */
    private void publish(Collection<CollectionMeta> metas) {
        try (Transaction tx = metaStore.txStart()) {
            for (CollectionMeta m : metas) {
                CollectionMeta cur = metaStore.collections().get(m.name());
                if (cur == null || cur.state() != CollectionState.CREATING || !cur.uid().equals(m.uid())) {
                    throw new VecgridException("collection '" + m.name() + "' was dropped or replaced while it was " +
                        "being restored; nothing was restored");
                }
            }
            for (CollectionMeta m : metas)
                metaStore.putMeta(m.restored());
            tx.commit();
        }
    }

    /** Removes the reservations of a restore that failed. */
    private void release(Collection<CollectionMeta> metas) {
        try (Transaction tx = metaStore.txStart()) {
            for (CollectionMeta m : metas) {
                CollectionMeta cur = metaStore.collections().get(m.name());
                if (cur != null && cur.state() == CollectionState.CREATING && cur.uid().equals(m.uid())) {
                    try (CacheWriteGuard.Scope internal = CacheWriteGuard.internal()) {
                        metaStore.collections().remove(m.name());
                    }
                }
            }
            tx.commit();
        }
        catch (RuntimeException e) {
            log.warning("Could not release the names " + metas + " after a failed restore: " + e);
        }
    }

    private void destroyQuietly(Collection<String> caches) {
        if (caches.isEmpty())
            return;
        try {
            ignite.destroyCaches(caches);
        }
        catch (RuntimeException e) {
            log.warning("Could not destroy caches " + caches + " after a failed restore: " + e);
        }
    }

    /** Waits until every segment of every restored collection has a serviceable copy and every shard an owner. */
    private void awaitServing(String backup, Collection<CollectionMeta> metas) {
        long deadline = System.currentTimeMillis() + SERVE_WAIT_MILLIS;
        while (true) {
            String missing = missing(metas);
            if (missing == null)
                return;
            if (System.currentTimeMillis() > deadline) {
                log.warning("Restored from backup '" + backup + "', but after " + SERVE_WAIT_MILLIS / 1000 + " s " +
                    missing + "; searches fail until it loads");
                return;
            }
            sleep(50, "the collections are restored and load their segments");
        }
    }

    /** @return what does not serve yet, or {@code null}. */
    private String missing(Collection<CollectionMeta> metas) {
        RoutingTable t = routing.refresh();
        for (CollectionMeta m : metas) {
            CollectionTarget target = metaStore.target(m);
            for (SegmentRef s : target.segments()) {
                if (t.copies(m.segmentsCache(), s.id()).isEmpty())
                    return "segment " + s.id() + " of collection '" + m.name() + "' has no serviceable copy yet";
            }
            for (int shard = 0; shard < m.spec().shards(); shard++) {
                if (t.shardOwners(m.rowsCache(), shard).isEmpty())
                    return "shard " + shard + " of collection '" + m.name() + "' has no owner reporting yet";
            }
        }
        return null;
    }
}
