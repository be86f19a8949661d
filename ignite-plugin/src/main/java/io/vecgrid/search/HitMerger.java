package io.vecgrid.search;

import io.vecgrid.api.Metric;
import io.vecgrid.api.SearchHit;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Merges the nodes' top-k lists of every query into the final top-k: ordered by distance (ties by primary key), each
 * primary key once. The lists hold at most nodes × k candidates per query, whatever the number of segments. Not thread-safe: the task calls it under its own lock.
 */
final class HitMerger {
    private final Metric metric;
    private final int topK;
    private final List<String> scalarFields;
    private final List<List<Candidate>> perQuery;

    HitMerger(Metric metric, int nq, int topK, List<String> scalarFields) {
        this.metric = metric;
        this.topK = topK;
        this.scalarFields = scalarFields;
        perQuery = new ArrayList<>(nq);
        for (int q = 0; q < nq; q++)
            perQuery.add(new ArrayList<>());
    }

    void add(NodeAnswer p) {
        int i = 0;
        for (int q = 0; q < p.counts.length; q++) {
            List<Candidate> list = perQuery.get(q);
            for (int j = 0; j < p.counts[q]; j++, i++)
                list.add(new Candidate(p.pks[i], p.distances[i], metric.rankKey(p.distances[i]), null, null));
        }
    }

    List<List<SearchHit>> result() {
        List<List<SearchHit>> res = new ArrayList<>(perQuery.size());
        for (List<Candidate> list : perQuery) {
            list.sort((a, b) -> a.rank != b.rank ? Float.compare(a.rank, b.rank) : Long.compare(a.pk, b.pk));
            Set<Long> seen = new HashSet<>();
            List<SearchHit> hits = new ArrayList<>(Math.min(topK, list.size()));
            for (Candidate c : list) {
                if (hits.size() == topK)
                    break;
                if (!seen.add(c.pk))
                    continue;
                Map<String, Object> f = null;
                if (c.fields != null) {
                    f = new LinkedHashMap<>();
                    for (int i = 0; i < scalarFields.size(); i++)
                        f.put(scalarFields.get(i), c.fields[i]);
                }
                hits.add(new SearchHit(c.pk, c.distance, f, c.vector));
            }
            res.add(hits);
        }
        return res;
    }

    private static final class Candidate {
        final long pk;
        final float distance;
        final float rank;
        final Object[] fields;
        final float[] vector;

        Candidate(long pk, float distance, float rank, Object[] fields, float[] vector) {
            this.pk = pk;
            this.distance = distance;
            this.rank = rank;
            this.fields = fields;
            this.vector = vector;
        }
    }
}
