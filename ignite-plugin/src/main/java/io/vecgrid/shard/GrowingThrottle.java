package io.vecgrid.shard;

import io.vecgrid.api.IngestRateException;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.search.RoutingCache;
import io.vecgrid.search.RoutingTable;

import java.util.Set;

/**
 * Bounds a shard's growing rows, which every owner of the shard holds in memory and every search scans: a write to a
 * shard holding more than half its cap waits a little (longer the fuller it is) so that sealing catches up, and a
 * write to a shard at its cap is refused with {@link IngestRateException}, nothing written. Growing counts come from
 * the shard owners' distribution reports (at most a routing refresh old). Thread-safe.
 */
public final class GrowingThrottle {
    /** Longest wait of one write, ms. */
    static final long MAX_WAIT_MILLIS = 500;

    private final RoutingCache routing;
    private final int cap;

    /** @param cap growing rows a shard may hold. */
    public GrowingThrottle(RoutingCache routing, int cap) {
        this.routing = routing;
        this.cap = cap;
    }

    /**
     * Waits while the shards are over half their cap, and refuses past it.
     *
     * @param what the write, for the message.
     * @throws IngestRateException if a shard holds {@code cap} growing rows or more.
     */
    public void admit(CollectionMeta meta, Set<Integer> shards, String what) {
        long deadline = System.currentTimeMillis() + MAX_WAIT_MILLIS;
        while (true) {
            RoutingTable t = routing.table();
            int worst = 0;
            int worstShard = -1;
            for (int s : shards) {
                int g = t.growingRows(meta.rowsCache(), s);
                if (g > worst) {
                    worst = g;
                    worstShard = s;
                }
            }
            if (worst >= cap) {
                throw new IngestRateException(what + " refused, nothing was written: shard " + worstShard + " holds " +
                    worst + " growing rows, its cap is " + cap + " (maxGrowingRowsPerShard): ingest is faster than " +
                    "sealing; retry after a short pause, or write in smaller batches");
            }
            if (worst <= cap / 2 || System.currentTimeMillis() >= deadline)
                return;
            try {
                Thread.sleep(Math.max(1, 50L * (worst - cap / 2) / Math.max(1, cap / 2)));
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
