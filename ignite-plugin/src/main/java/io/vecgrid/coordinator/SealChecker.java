package io.vecgrid.coordinator;

import java.util.ArrayList;
import java.util.List;

/** A shard whose leaders report at least sealRows growing rows gets sealed. */
final class SealChecker implements Checker {
    @Override public List<CoordinatorTask> check(CollectionView v) {
        List<CoordinatorTask> res = new ArrayList<>();
        int sealRows = v.cfg.getSealRows();
        for (int shard = 0; shard < v.meta.spec().shards(); shard++) {
            int growing = v.table.growingRows(v.meta.rowsCache(), shard);
            if (growing >= sealRows) {
                res.add(new CoordinatorTask(CoordinatorTask.Kind.SEAL, v.meta.name(), v.meta.uid(), shard, List.of(),
                    null, growing + " growing rows >= sealRows " + sealRows));
            }
        }
        return res;
    }
}
