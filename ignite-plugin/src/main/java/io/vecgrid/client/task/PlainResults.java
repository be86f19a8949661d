package io.vecgrid.client.task;

import io.vecgrid.api.BackupInfo;
import io.vecgrid.api.ReplicaGroupInfo;
import io.vecgrid.api.ReplicaInfo;
import io.vecgrid.api.SearchDiagnostics;
import io.vecgrid.api.SearchHit;
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.VectorRow;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Copies results into {@link ArrayList}s and {@link LinkedHashMap}s before they leave for a thin client. The API's
 * value types keep whatever collections the server built them with (views, {@code List.of}, sub-lists); Ignite's
 * binary marshaller carries the plain JDK collections faithfully, not every other implementation.
 */
final class PlainResults {
    private PlainResults() {
    }

    static ArrayList<VectorRow> rows(List<VectorRow> rows) {
        ArrayList<VectorRow> res = new ArrayList<>(rows.size());
        for (VectorRow r : rows)
            res.add(new VectorRow(r.pk(), r.vector(), r.fields()));
        return res;
    }

    static SearchResult search(SearchResult r) {
        List<List<SearchHit>> hits = new ArrayList<>(r.hits().size());
        for (List<SearchHit> q : r.hits()) {
            List<SearchHit> copy = new ArrayList<>(q.size());
            for (SearchHit h : q)
                copy.add(new SearchHit(h.pk(), h.distance(), h.fields(), h.vector()));
            hits.add(copy);
        }
        return new SearchResult(hits, r.partial(), new ArrayList<>(r.missingSegments()), diagnostics(r.diagnostics()));
    }

    private static SearchDiagnostics diagnostics(SearchDiagnostics d) {
        if (d == null)
            return null;
        return new SearchDiagnostics(d.targetVersion(), new LinkedHashMap<>(d.segmentNodes()),
            new LinkedHashMap<>(d.growingNodes()), d.retries(), new ArrayList<>(d.takenOver()),
            new ArrayList<>(d.reconciled()), new ArrayList<>(d.events()), d.jobs(), new ArrayList<>(d.hedged()), d.router());
    }

    static ArrayList<BackupInfo> backups(List<BackupInfo> list) {
        ArrayList<BackupInfo> res = new ArrayList<>(list.size());
        for (BackupInfo b : list)
            res.add(new BackupInfo(b.name(), b.takenAtMillis(), new ArrayList<>(b.collections()), new ArrayList<>(b.nodes()),
                b.manifest()));
        return res;
    }

    static ReplicaInfo replicas(ReplicaInfo r) {
        List<ReplicaGroupInfo> groups = new ArrayList<>(r.groups().size());
        for (ReplicaGroupInfo g : r.groups()) {
            Map<UUID, List<ReplicaGroupInfo.SegmentCopy>> segs = new LinkedHashMap<>();
            for (Map.Entry<UUID, List<ReplicaGroupInfo.SegmentCopy>> e : g.segments().entrySet())
                segs.put(e.getKey(), new ArrayList<>(e.getValue()));
            groups.add(new ReplicaGroupInfo(g.id(), new ArrayList<>(g.nodes()), new LinkedHashMap<>(g.shardLeaders()), segs));
        }
        return new ReplicaInfo(r.collection(), r.replicaNumber(), r.underReplicated(), r.targetVersion(), groups);
    }
}
