package io.vecgrid.backup;

import org.apache.ignite.Ignite;
import org.apache.ignite.configuration.IgniteConfiguration;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * This node's Ignite snapshots as its file system shows them. Ignite keeps each snapshot in a directory named after it
 * under {@link IgniteConfiguration#getSnapshotPath()} (relative paths resolve against the work directory, as Ignite
 * resolves them), on every baseline node: {@code <name>/<consistentId>.smf} is the node's snapshot metadata, written
 * when its part is complete, and {@code <name>/db/<node folder>/cache-<cache>} or {@code cacheGroup-<group>} holds
 * each cache group. Reading the directory names needs no Ignite internals (Ignite's own listing,
 * {@code IgniteSnapshotManager}, is an internal class) and tells which caches a snapshot holds by their names, which
 * Ignite's metadata does not (it keeps group ids only).
 *
 * <p>Stateless; thread-safe.
 */
final class SnapshotFiles {
    /** vecgrid's manifest, in the snapshot's directory beside Ignite's files (Ignite reads only its own). */
    static final String MANIFEST = "vecgrid-backup.properties";

    private static final String SNAPSHOT_META_SUFFIX = ".smf";
    private static final String CACHE_DIR = "cache-";
    private static final String GROUP_DIR = "cacheGroup-";

    private SnapshotFiles() {
    }

    /** @return the directory holding this node's snapshots (it may not exist yet). */
    static File root(Ignite ignite) {
        IgniteConfiguration cfg = ignite.configuration();
        File path = new File(cfg.getSnapshotPath());
        if (!path.isAbsolute() && cfg.getWorkDirectory() != null)
            path = new File(cfg.getWorkDirectory(), cfg.getSnapshotPath());
        return path;
    }

    /** @return names of the snapshot directories under {@code root}, sorted. */
    static List<String> names(File root) {
        File[] dirs = root.listFiles(File::isDirectory);
        List<String> res = new ArrayList<>();
        if (dirs != null) {
            for (File d : dirs)
                res.add(d.getName());
        }
        res.sort(null);
        return res;
    }

    /** @return the snapshot's metadata files (one per node whose part is complete). */
    static File[] metadataFiles(File snapshotDir) {
        File[] f = snapshotDir.listFiles((d, n) -> n.endsWith(SNAPSHOT_META_SUFFIX));
        return f == null ? new File[0] : f;
    }

    /** @return when the earliest metadata file was written, ms, or -1 if there is none. */
    static long metadataTime(File snapshotDir) {
        long min = -1;
        for (File f : metadataFiles(snapshotDir)) {
            long t = f.lastModified();
            if (t > 0 && (min < 0 || t < min))
                min = t;
        }
        return min;
    }

    /** @return names of the cache groups (a cache without a group is a group of its own name) the snapshot holds. */
    static TreeSet<String> cacheGroups(File snapshotDir) {
        TreeSet<String> res = new TreeSet<>();
        for (File d : cacheDirs(snapshotDir)) {
            String n = d.getName();
            res.add(n.startsWith(GROUP_DIR) ? n.substring(GROUP_DIR.length()) : n.substring(CACHE_DIR.length()));
        }
        return res;
    }

    /** @return the snapshot's directories of caches and cache groups ({@code db/<node folder>/cache-*, cacheGroup-*}). */
    static List<File> cacheDirs(File snapshotDir) {
        List<File> res = new ArrayList<>();
        File[] folders = new File(snapshotDir, "db").listFiles(File::isDirectory);
        if (folders == null)
            return res;
        for (File folder : folders) {
            File[] dirs = folder.listFiles(File::isDirectory);
            if (dirs == null)
                continue;
            for (File d : dirs) {
                if (d.getName().startsWith(GROUP_DIR) || d.getName().startsWith(CACHE_DIR))
                    res.add(d);
            }
        }
        return res;
    }
}
