package io.vecgrid.backup;

import io.vecgrid.api.BackupCollection;
import io.vecgrid.api.BackupInfo;
import io.vecgrid.collection.CollectionMeta;
import org.apache.ignite.Ignite;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The backups of the cluster, gathered from every server node's snapshot directory ({@link NodeSnapshots}), and
 * which collections each holds.
 *
 * <p>A collection is in a backup when the snapshot holds its state cache ({@code vecgrid_state_<name>_<cid>}, see
 * {@link CollectionMeta#stateCache()}), as the snapshot's cache directories show. Why the directories: they are what
 * the snapshot holds at its consistent point, for a backup vecgrid took as for one taken with control.sh. The
 * alternatives were worse: vecgrid's {@link Manifest} is written after the snapshot, from the live caches, and could
 * disagree with the snapshot's point (a collection created or dropped meanwhile); Ignite's snapshot metadata
 * ({@code SnapshotMetadata}) is an internal class and keeps cache group ids, not names; the catalog cache inside the
 * snapshot cannot be read without restoring it over the live one. The directory layout is Ignite's on-disk format
 * rather than an API: should a later Ignite change it, list and restore would find no collection, which the backup
 * tests would show at once. The manifest adds each collection's layout and schema; the collection's metadata itself
 * is read at restore from its restored state cache (see {@link Restore}).
 *
 * <p>Stateless; thread-safe.
 */
final class BackupCatalog {
    private BackupCatalog() {
    }

    /**
     * @param only the one backup to look for, or {@code null} for all.
     * @return every backup any server node holds a part of (complete or not), by name.
     */
    static TreeMap<String, Backup> gather(Ignite ignite, String only) {
        Collection<ArrayList<NodeSnapshot>> perNode =
            ignite.compute(ignite.cluster().forServers()).broadcast(new NodeSnapshots(only));
        TreeMap<String, Backup> res = new TreeMap<>();
        for (List<NodeSnapshot> parts : perNode) {
            for (NodeSnapshot p : parts)
                res.computeIfAbsent(p.name, Backup::new).add(p);
        }
        return res;
    }

    /** @return {@code {name, cid}} of a state cache's name, or {@code null} if it names no state cache. */
    static String[] parseStateCache(String cache) {
        if (!cache.startsWith(CollectionMeta.STATE_CACHE_PREFIX))
            return null;
        String rest = cache.substring(CollectionMeta.STATE_CACHE_PREFIX.length());
        // Collection names may hold '_'; the id after the last one never does (8 hex digits).
        int at = rest.lastIndexOf('_');
        if (at <= 0 || at == rest.length() - 1)
            return null;
        return new String[] {rest.substring(0, at), rest.substring(at + 1)};
    }

    /** One backup over every node that holds a part of it. Built by one thread, then only read. */
    static final class Backup {
        final String name;
        private final List<NodeSnapshot> parts = new ArrayList<>();

        Backup(String name) {
            this.name = name;
        }

        void add(NodeSnapshot p) {
            parts.add(p);
        }

        /** @return whether some node holds a complete part (Ignite finished it there). */
        boolean complete() {
            for (NodeSnapshot p : parts) {
                if (p.complete)
                    return true;
            }
            return false;
        }

        /** @return every cache group the snapshot holds, on any node. */
        TreeSet<String> groups() {
            TreeSet<String> res = new TreeSet<>();
            for (NodeSnapshot p : parts)
                res.addAll(p.groups);
            return res;
        }

        /** @return vecgrid's manifest (any node's copy), or {@code null}. */
        Manifest manifest() {
            for (NodeSnapshot p : parts) {
                if (p.manifest != null)
                    return p.manifest;
            }
            return null;
        }

        /**
         * @return the state caches the snapshot holds, by collection name. Almost always one per name; two when a
         *     collection was dropped and created again under the same name just as the backup was taken (the old
         *     one's state cache is destroyed last).
         */
        TreeMap<String, List<String>> stateCaches() {
            TreeMap<String, List<String>> res = new TreeMap<>();
            for (String g : groups()) {
                String[] nc = parseStateCache(g);
                if (nc != null)
                    res.computeIfAbsent(nc[0], k -> new ArrayList<>()).add(g);
            }
            return res;
        }

        /** @return what {@code backup list} shows of it. */
        BackupInfo info() {
            Manifest m = manifest();
            long taken = m != null ? m.takenAtMillis() : -1;
            TreeSet<String> nodes = new TreeSet<>();
            for (NodeSnapshot p : parts) {
                if (p.complete) {
                    nodes.add(p.node);
                    if (m == null && p.metadataTime > 0 && (taken < 0 || p.metadataTime < taken))
                        taken = p.metadataTime;
                }
            }
            List<BackupCollection> colls = new ArrayList<>();
            for (String coll : stateCaches().keySet()) {
                Manifest.Entry e = m == null ? null : m.entry(coll);
                colls.add(e == null ? unknown(coll) : withProblem(e.collection));
            }
            return new BackupInfo(name, taken, colls, new ArrayList<>(nodes), m != null);
        }
    }

    private static BackupCollection unknown(String name) {
        return new BackupCollection(name, BackupCollection.UNKNOWN_LAYOUT, 0, null, null, 0, 0, null);
    }

    private static BackupCollection withProblem(BackupCollection c) {
        String problem = c.layout() == BackupCollection.UNKNOWN_LAYOUT || c.layout() == CollectionMeta.LAYOUT ? null :
            "stored-data layout " + c.layout() + "; this vecgrid reads layout " + CollectionMeta.LAYOUT + " only";
        return new BackupCollection(c.name(), c.layout(), c.dimension(), c.metric(), c.index(), c.shards(),
            c.replicaNumber(), problem);
    }
}
