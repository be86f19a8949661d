package io.vecgrid.cluster;

import org.apache.ignite.Ignite;
import org.apache.ignite.configuration.DataStorageConfiguration;
import org.apache.ignite.configuration.IgniteConfiguration;

import java.io.File;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Free disk space of a persistent node's data directories: the page files ({@code storagePath}, default
 * {@code <work>/db}), the WAL and its archive. Ignite stops a node whose disk fills up during a write or checkpoint (a
 * critical failure), so vecgrid refuses new writes well before, as Elasticsearch's flood-stage watermark does: every
 * node reports its free space with its distribution, and writers check the reports. Stateless.
 */
public final class DiskSpace {
    /**
     * The file store of each directory asked about. Finding a path's file store reads the mount table, which cost a
     * node's maintenance loop (every 100 ms) most of its idle CPU; the store, once found, reads its free space with one
     * system call on that path.
     */
    private static final Map<Path, FileStore> STORES = new ConcurrentHashMap<>();

    private DiskSpace() {
    }

    /** @return the directories a persistent node writes, resolved against its work directory (empty in memory). */
    public static List<File> dataDirs(Ignite ignite) {
        List<File> res = new ArrayList<>();
        if (!ClusterInfo.persistent(ignite))
            return res;
        IgniteConfiguration cfg = ignite.configuration();
        DataStorageConfiguration ds = cfg.getDataStorageConfiguration();
        String work = cfg.getWorkDirectory();
        res.add(resolve(work, ds.getStoragePath(), "db"));
        res.add(resolve(work, ds.getWalPath(), DataStorageConfiguration.DFLT_WAL_PATH));
        res.add(resolve(work, ds.getWalArchivePath(), DataStorageConfiguration.DFLT_WAL_ARCHIVE_PATH));
        return res;
    }

    private static File resolve(String work, String path, String dflt) {
        File f = new File(path != null ? path : dflt);
        return f.isAbsolute() || work == null ? f : new File(work, f.getPath());
    }

    /**
     * @return the smallest usable space, in bytes, over the node's data directories, with the directory it belongs
     *      to; {@code null} in memory or when no directory can be read.
     */
    public static Free free(Ignite ignite) {
        Free min = null;
        for (File dir : dataDirs(ignite)) {
            File f = dir;
            while (f != null && !f.exists())
                f = f.getParentFile();
            if (f == null)
                continue;
            try {
                long usable = store(f.toPath()).getUsableSpace();
                if (min == null || usable < min.bytes)
                    min = new Free(dir.getAbsolutePath(), usable);
            }
            catch (IOException e) {
                // Unreadable: the next report tries again.
            }
        }
        return min;
    }

    private static FileStore store(Path dir) throws IOException {
        FileStore s = STORES.get(dir);
        if (s == null) {
            s = Files.getFileStore(dir);
            STORES.put(dir, s);
        }
        return s;
    }

    /** Free bytes of one directory. Immutable. */
    public static final class Free {
        public final String dir;
        public final long bytes;

        Free(String dir, long bytes) {
            this.dir = dir;
            this.bytes = bytes;
        }
    }
}
