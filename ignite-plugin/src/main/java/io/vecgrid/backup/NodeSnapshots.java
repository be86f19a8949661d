package io.vecgrid.backup;

import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteLogger;
import org.apache.ignite.lang.IgniteCallable;
import org.apache.ignite.resources.IgniteInstanceResource;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs on each server node (broadcast): the node's parts of every snapshot, or of one. A compute job rather than a
 * shared cache because snapshots are files on each node, outside Ignite's data: a node that joined after a backup
 * lacks it, and a backup is still listed after the data it holds was lost.
 *
 * <p>Stateless apart from its argument; thread-safe.
 */
final class NodeSnapshots implements IgniteCallable<ArrayList<NodeSnapshot>> {
    private static final long serialVersionUID = 1L;

    /** The snapshot to report, or {@code null} for every one. */
    private final String only;

    @IgniteInstanceResource
    private transient Ignite ignite;

    NodeSnapshots(String only) {
        this.only = only;
    }

    @Override public ArrayList<NodeSnapshot> call() {
        File root = SnapshotFiles.root(ignite);
        String node = String.valueOf(ignite.cluster().localNode().consistentId());
        ArrayList<NodeSnapshot> res = new ArrayList<>();
        List<String> names = only == null ? SnapshotFiles.names(root) : List.of(only);
        for (String name : names) {
            File dir = new File(root, name);
            if (!dir.isDirectory())
                continue;
            Manifest manifest = null;
            try {
                manifest = Manifest.read(dir);
            }
            catch (IOException | RuntimeException e) {
                IgniteLogger log = ignite.log().getLogger(NodeSnapshots.class);
                log.warning("Unreadable vecgrid manifest of backup '" + name + "' in " + dir + " (the backup is " +
                    "listed without it): " + e);
            }
            res.add(new NodeSnapshot(node, name, SnapshotFiles.metadataFiles(dir).length > 0,
                SnapshotFiles.metadataTime(dir), new ArrayList<>(SnapshotFiles.cacheGroups(dir)), manifest));
        }
        return res;
    }
}
