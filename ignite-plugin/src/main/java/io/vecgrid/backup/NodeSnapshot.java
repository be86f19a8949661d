package io.vecgrid.backup;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One server node's part of one snapshot, as its file system shows it: whether the part is complete (Ignite wrote
 * the node's metadata file), the cache groups it holds, and vecgrid's manifest if there is one.
 *
 * <p>Immutable.
 */
final class NodeSnapshot implements Serializable {
    private static final long serialVersionUID = 1L;

    final String node;
    final String name;
    final boolean complete;
    final long metadataTime;
    final ArrayList<String> groups;
    final Manifest manifest;

    /**
     * @param node consistent id of the node.
     * @param metadataTime when the node's snapshot metadata was written, ms, or -1.
     * @param manifest vecgrid's manifest, or {@code null}.
     */
    NodeSnapshot(String node, String name, boolean complete, long metadataTime, List<String> groups, Manifest manifest) {
        this.node = node;
        this.name = name;
        this.complete = complete;
        this.metadataTime = metadataTime;
        this.groups = new ArrayList<>(groups);
        this.manifest = manifest;
    }

    List<String> groups() {
        return Collections.unmodifiableList(groups);
    }
}
