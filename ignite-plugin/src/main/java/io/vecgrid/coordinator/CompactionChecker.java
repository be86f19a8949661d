package io.vecgrid.coordinator;

import io.vecgrid.collection.SegmentRef;
import io.vecgrid.collection.ShardState;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Merges a shard's segments into large ones, and rewrites delete-heavy ones, in the spirit of Milvus's mix compaction:
 * <ul>
 *   <li>a segment is <i>small</i> while its encoded size is below {@code smallSegmentRatio * segmentMaxBytes};</li>
 *   <li>when a shard has {@value #MERGE_FACTOR} or more small segments, the smallest ones are merged, as many as fit
 *   in {@code segmentMaxBytes}: each row is rewritten about log4(rows / sealRows) times as a shard grows;</li>
 *   <li>when a shard has been quiet for a while (no layout change), any two or more small segments are merged, so a
 *   shard that stopped growing settles at the fewest segments its size allows;</li>
 *   <li>a segment whose deleted share passes {@code deletedRatio} is merged (alone if need be), which drops the deleted
 *   rows.</li>
 * </ul>
 * Segments that are the source of an operation in progress are left alone. One merge per shard at a time.
 */
final class CompactionChecker implements Checker {
    /** Small segments that trigger a merge while the shard keeps growing. */
    static final int MERGE_FACTOR = 4;

    @Override public List<CoordinatorTask> check(CollectionView v) {
        List<CoordinatorTask> res = new ArrayList<>();
        double smallRatio = v.cfg.getSmallSegmentRatio();
        double deletedRatio = v.cfg.getDeletedRatio();
        long max = v.cfg.getSegmentMaxBytes();
        for (ShardState st : v.shards) {
            boolean merging = false;
            for (io.vecgrid.collection.LayoutOp op : st.ops())
                merging |= op.kind() != io.vecgrid.collection.LayoutOp.Kind.SEAL;
            if (merging)
                continue;
            List<SegmentRef> small = new ArrayList<>();
            SegmentRef holey = null;
            for (SegmentRef s : st.segments()) {
                int live = v.table.liveRows(v.meta.segmentsCache(), s.id());
                if (live < 0)
                    continue;
                if (smallRatio > 0 && s.bytes() < smallRatio * max)
                    small.add(s);
                if (s.rows() > 0 && (s.rows() - live) > deletedRatio * s.rows() && holey == null)
                    holey = s;
            }
            small.sort(Comparator.comparingLong(SegmentRef::bytes));
            List<Long> merge = new ArrayList<>();
            long bytes = 0;
            for (SegmentRef s : small) {
                if (bytes + s.bytes() > max && merge.size() >= 2)
                    break;
                merge.add(s.id());
                bytes += s.bytes();
            }
            boolean quiet = v.quiet[st.shard()];
            if (merge.size() >= MERGE_FACTOR || (quiet && merge.size() >= 2)) {
                res.add(new CoordinatorTask(CoordinatorTask.Kind.MERGE, v.meta.name(), v.meta.uid(), st.shard(), merge,
                    null, merge.size() + " small segments (" + bytes + " bytes)" + (quiet ? ", shard quiet" : "")));
            }
            else if (holey != null) {
                res.add(new CoordinatorTask(CoordinatorTask.Kind.MERGE, v.meta.name(), v.meta.uid(), st.shard(),
                    List.of(holey.id()), null, "more than " + (int)(deletedRatio * 100) + "% of " + holey.rows() +
                    " rows deleted"));
            }
        }
        return res;
    }
}
