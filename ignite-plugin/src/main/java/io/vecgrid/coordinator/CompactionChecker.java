package io.vecgrid.coordinator;

import io.vecgrid.collection.SegmentRef;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Per shard: two or more small segments (fewer live rows than {@code smallSegmentRatio * sealRows}) are merged into
 * one of at most sealRows rows; a segment whose deleted share passes {@code deletedRatio} is rewritten alone.
 */
final class CompactionChecker implements Checker {
    @Override public List<CoordinatorTask> check(CollectionView v) {
        List<CoordinatorTask> res = new ArrayList<>();
        int sealRows = v.cfg.getSealRows();
        double smallRatio = v.cfg.getSmallSegmentRatio();
        double deletedRatio = v.cfg.getDeletedRatio();
        for (int shard = 0; shard < v.meta.spec().shards(); shard++) {
            List<SegmentRef> small = new ArrayList<>();
            for (SegmentRef s : v.target.segmentsOfShard(shard)) {
                int live = v.table.liveRows(v.meta.segmentsCache(), s.id());
                if (live < 0)
                    continue;
                if (live < smallRatio * sealRows)
                    small.add(s);
                else if (s.rows() > 0 && (s.rows() - live) > deletedRatio * s.rows()) {
                    res.add(new CoordinatorTask(CoordinatorTask.Kind.COMPACT, v.meta.name(), v.meta.uid(), shard,
                        List.of(s.id()), null, (s.rows() - live) + " of " + s.rows() + " rows deleted"));
                }
            }
            if (small.size() >= 2) {
                small.sort(Comparator.comparingInt(SegmentRef::rows));
                List<Long> merge = new ArrayList<>();
                int rows = 0;
                for (SegmentRef s : small) {
                    if (rows + s.rows() > sealRows && merge.size() >= 2)
                        break;
                    merge.add(s.id());
                    rows += s.rows();
                }
                res.add(new CoordinatorTask(CoordinatorTask.Kind.COMPACT, v.meta.name(), v.meta.uid(), shard, merge, null,
                    merge.size() + " small segments"));
            }
        }
        return res;
    }
}
