package io.vecgrid.segment;

import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.CollectionTarget;
import org.apache.ignite.Ignite;
import org.apache.ignite.cache.affinity.Affinity;
import org.apache.ignite.cluster.ClusterNode;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Chooses the affinity slot of a new sealed segment so that sealed rows per node stay even inside every replica
 * group: the slot whose most-loaded owner carries the fewest rows (then the emptiest slot, then the lowest index).
 */
final class SlotChooser {
    private SlotChooser() {
    }

    static int choose(Ignite ignite, CollectionMeta meta, CollectionTarget target) {
        int slots = meta.segmentSlots();
        long[] slotRows = target.rowsPerSlot(slots);
        Affinity<Object> aff = ignite.affinity(meta.segmentsCache());
        List<List<ClusterNode>> owners = new java.util.ArrayList<>(slots);
        Map<UUID, Long> load = new HashMap<>();
        for (int p = 0; p < slots; p++) {
            List<ClusterNode> o = List.copyOf(aff.mapPartitionToPrimaryAndBackups(p));
            owners.add(o);
            for (ClusterNode n : o)
                load.merge(n.id(), slotRows[p], Long::sum);
        }
        int best = 0;
        long bestMax = Long.MAX_VALUE;
        for (int p = 0; p < slots; p++) {
            long max = 0;
            for (ClusterNode n : owners.get(p))
                max = Math.max(max, load.getOrDefault(n.id(), 0L));
            if (max < bestMax || (max == bestMax && slotRows[p] < slotRows[best])) {
                best = p;
                bestMax = max;
            }
        }
        return best;
    }
}
