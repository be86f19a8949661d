package io.vecgrid.backup;

import org.apache.ignite.Ignite;
import org.apache.ignite.lang.IgniteRunnable;
import org.apache.ignite.resources.IgniteInstanceResource;

import java.io.File;

/**
 * Runs on each server node (broadcast) after a backup was taken: writes vecgrid's manifest into the node's
 * directory of the snapshot, if the node has one (a node outside the baseline took no part).
 *
 * <p>Stateless apart from its argument; thread-safe.
 */
final class ManifestWriter implements IgniteRunnable {
    private static final long serialVersionUID = 1L;

    private final Manifest manifest;

    @IgniteInstanceResource
    private transient Ignite ignite;

    ManifestWriter(Manifest manifest) {
        this.manifest = manifest;
    }

    @Override public void run() {
        File dir = new File(SnapshotFiles.root(ignite), manifest.backup());
        if (dir.isDirectory())
            manifest.write(dir, ignite.cluster().localNode().id().toString());
    }
}
