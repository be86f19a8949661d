package io.vecgrid.search;

import io.vecgrid.api.Consistency;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.CollectionTarget;

import java.util.ArrayList;
import java.util.List;

/** A validated search request with the collection metadata and target it runs against. Immutable. */
final class SearchContext {
    final CollectionMeta meta;
    final CollectionTarget target;
    final float[][] queries;
    final int topK;
    final int ef;
    final String filterExpr;
    final List<String> outputFields;
    final boolean eventually;
    final boolean allowPartial;
    final boolean diagnostics;
    /** The search's timeout, ns. */
    final long timeoutNanos;
    /** The node routing the search. */
    final java.util.UUID router;

    SearchContext(CollectionMeta meta, CollectionTarget target, SearchRequest req, long timeoutMillis,
        java.util.UUID router) {
        this.router = router;
        this.timeoutNanos = timeoutMillis * 1_000_000L;
        this.meta = meta;
        this.target = target;
        this.queries = req.vectors();
        this.topK = req.topK();
        this.ef = req.ef();
        this.filterExpr = req.filter() == null || req.filter().isBlank() ? null : req.filter();
        this.outputFields = new ArrayList<>(req.outputFields());
        this.eventually = req.consistency() == Consistency.EVENTUALLY;
        this.allowPartial = req.allowPartial();
        this.diagnostics = req.diagnostics();
    }
}
