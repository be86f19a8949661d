package io.vecgrid.backup;

import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCheckedException;
import org.apache.ignite.IgniteException;
import org.apache.ignite.internal.IgniteEx;
import org.apache.ignite.internal.processors.cache.GridCacheProcessor;
import org.apache.ignite.internal.processors.cache.GridLocalConfigManager;
import org.apache.ignite.internal.processors.cache.StoredCacheData;
import org.apache.ignite.lang.IgniteCallable;
import org.apache.ignite.resources.IgniteInstanceResource;

import java.io.File;
import java.util.HashMap;
import java.util.Map;

/**
 * Runs on each server node (broadcast) before a restore: writes the configuration of every cache in this node's part of
 * a backup back in one piece, with the fields Ignite keeps apart from it put back in place.
 *
 * <p>Why: Ignite stores a cache's configuration split in two, the configuration with some fields reset to their
 * defaults and those fields serialized apart (its "enrichment": among them the cache interceptor), and a snapshot keeps
 * that form. Ignite 2.17's snapshot restore starts the restored caches from the configuration part alone and never puts
 * the fields back, so a restored cache had no interceptor. vecgrid's interceptors are what keep a node's view of a
 * shard's growing rows current and apply delete marks to loaded segment copies as writes commit; without them a
 * restored collection's searches missed rows written after the restore and its seals sealed stale rows. A
 * configuration written in one piece (no enrichment: the form Ignite read before it split configurations) is started
 * as it is, interceptor included. The rewrite changes what the file holds only in form, so doing it again, or on a
 * backup that never needed it, changes nothing.
 *
 * <p>Stateless apart from its argument; thread-safe.
 */
final class NodeSnapshotConfigs implements IgniteCallable<Integer> {
    private static final long serialVersionUID = 1L;

    private final String backup;

    @IgniteInstanceResource
    private transient Ignite ignite;

    NodeSnapshotConfigs(String backup) {
        this.backup = backup;
    }

    /** @return how many cache configurations of the backup this node rewrote. */
    @Override public Integer call() {
        File dir = new File(SnapshotFiles.root(ignite), backup);
        GridCacheProcessor caches = ((IgniteEx)ignite).context().cache();
        GridLocalConfigManager configs = caches.configManager();
        int rewritten = 0;
        try {
            for (File cacheDir : SnapshotFiles.cacheDirs(dir)) {
                Map<String, StoredCacheData> found = new HashMap<>();
                configs.readCacheConfigurations(cacheDir, found);
                for (StoredCacheData data : found.values()) {
                    if (data.cacheConfigurationEnrichment() == null)
                        continue;
                    StoredCacheData whole = new StoredCacheData(data);
                    whole.config(caches.enricher().enrichFully(data.config(), data.cacheConfigurationEnrichment()));
                    whole.cacheConfigurationEnrichment(null);
                    // The file it was read from: cache_data.dat, or <cache>cache_data.dat in a group's directory.
                    configs.writeCacheData(whole, new File(cacheDir, GridLocalConfigManager.cacheDataFilename(data.config())));
                    rewritten++;
                }
            }
        }
        catch (IgniteCheckedException e) {
            throw new IgniteException("could not rewrite the cache configurations of backup '" + backup + "' on node " +
                ignite.cluster().localNode().consistentId() + ": " + e.getMessage(), e);
        }
        return rewritten;
    }
}
