package io.vecgrid.api;

import java.io.Serializable;
import java.util.Collections;
import java.util.List;

/**
 * Hits per query (in query order, best first), whether the answer is partial (only when the request allowed it), the
 * segments it lacks, and diagnostics when asked for.
 */
public final class SearchResult implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<List<SearchHit>> hits;
    private final boolean partial;
    private final List<String> missingSegments;
    private final SearchDiagnostics diagnostics;

    public SearchResult(List<List<SearchHit>> hits, boolean partial, List<String> missingSegments,
        SearchDiagnostics diagnostics) {
        this.hits = hits;
        this.partial = partial;
        this.missingSegments = missingSegments;
        this.diagnostics = diagnostics;
    }

    /** @return hits of each query, in query order. */
    public List<List<SearchHit>> hits() {
        return Collections.unmodifiableList(hits);
    }

    /** @return hits of query {@code i}. */
    public List<SearchHit> hits(int i) {
        return Collections.unmodifiableList(hits.get(i));
    }

    /** @return {@code true} if some segments could not be searched (only with {@code allowPartial}). */
    public boolean partial() {
        return partial;
    }

    /** @return the segments left out of a partial result, each naming collection, shard and segment. */
    public List<String> missingSegments() {
        return Collections.unmodifiableList(missingSegments);
    }

    /** @return diagnostics, or {@code null} when the request did not ask for them. */
    public SearchDiagnostics diagnostics() {
        return diagnostics;
    }
}
