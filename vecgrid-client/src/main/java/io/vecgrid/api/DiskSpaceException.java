package io.vecgrid.api;

/**
 * A write was refused because a node's data directory is short of free disk space (below {@code minFreeDiskBytes});
 * nothing was written. The message names the node, the directory and the free space. Free disk space, add nodes, or
 * delete rows (deletes are still accepted), then retry.
 */
public class DiskSpaceException extends VecgridException {
    private static final long serialVersionUID = 1L;

    public DiskSpaceException(String msg) {
        super(msg);
    }
}
