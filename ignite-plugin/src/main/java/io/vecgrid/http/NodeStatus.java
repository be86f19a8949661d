package io.vecgrid.http;

import io.vecgrid.Vecgrid;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.metrics.VecgridMetrics;
import io.vecgrid.segment.LoadedSegment;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** What one node tells the status page: its segment copies (state, rows, memory), recent search events, latency. */
final class NodeStatus implements Serializable {
    private static final long serialVersionUID = 1L;

    final UUID node;
    /** Collection name to its copies on the node: segment id to {rows, heap bytes, serviceable 1 / loading 0}. */
    final Map<String, Map<Long, long[]>> copies = new HashMap<>();
    final List<VecgridMetrics.Event> events;
    final List<VecgridMetrics.LatencySample> latency;
    final long loadedBytes;
    final int loadingSegments;
    final int inFlightJobs;

    private NodeStatus(Vecgrid vg) {
        node = vg.ignite().cluster().localNode().id();
        for (CollectionMeta meta : vg.metaStore().servingGenerations()) {
            Map<Long, long[]> m = copies.computeIfAbsent(meta.name(), k -> new HashMap<>());
            for (LoadedSegment s : vg.segments().copies(meta.segmentsCache()))
                m.put(s.id(), new long[] {s.serviceable() ? s.liveRows() : s.rows(), s.serviceable() ? s.memoryBytes() : 0,
                    s.serviceable() ? 1 : 0});
            for (long id : vg.segments().loading(meta.segmentsCache()))
                m.putIfAbsent(id, new long[] {0, 0, 0});
        }
        events = new ArrayList<>(vg.metrics().events());
        latency = new ArrayList<>(vg.metrics().latencySeries());
        loadedBytes = vg.segments().loadedBytes() + vg.segments().loadedOffHeapBytes();
        loadingSegments = vg.segments().loadingSegments();
        inFlightJobs = vg.metrics().inFlightJobs();
    }

    /** @return this node's status. */
    static NodeStatus of(Vecgrid vg) {
        return new NodeStatus(vg);
    }
}
