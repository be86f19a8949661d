package io.vecgrid.cluster;

import io.vecgrid.api.DiskSpaceException;
import io.vecgrid.search.NodeDistribution;
import io.vecgrid.search.RoutingCache;

import java.util.List;

/**
 * Refuses writes while some node reports less free disk space than {@code minFreeDiskBytes} (see {@link DiskSpace}).
 * The reports are at most a routing refresh old; the margin covers what gets written meanwhile. Thread-safe.
 */
public final class DiskGuard {
    private final RoutingCache routing;
    private final long minFree;

    public DiskGuard(RoutingCache routing, long minFree) {
        this.routing = routing;
        this.minFree = minFree;
    }

    /**
     * @param what the refused operation, for the message (e.g. "insert into collection 'docs'").
     * @throws DiskSpaceException naming the node and directory if some node is short of disk space.
     */
    public void checkWritable(String what) {
        if (minFree <= 0)
            return;
        List<NodeDistribution> low = routing.table().lowOnDisk(minFree);
        if (low.isEmpty())
            return;
        NodeDistribution d = low.get(0);
        throw new DiskSpaceException(what + " refused, nothing was written: node " + d.consistentId() + " has " +
            mb(d.freeDiskBytes()) + " MB free in its data directory " + d.dataDir() + ", below minFreeDiskBytes (" +
            mb(minFree) + " MB)" + (low.size() > 1 ? " (and " + (low.size() - 1) + " more nodes are short too)" : "") +
            "; free disk space there, add nodes, or delete rows, then retry");
    }

    /** @return whether this node's own data directories are short of disk space (it then seals nothing new). */
    public static boolean shortHere(org.apache.ignite.Ignite ignite, long minFree, long needed) {
        if (minFree <= 0)
            return false;
        DiskSpace.Free f = DiskSpace.free(ignite);
        return f != null && f.bytes < minFree + needed;
    }

    private static long mb(long bytes) {
        return bytes >> 20;
    }
}
