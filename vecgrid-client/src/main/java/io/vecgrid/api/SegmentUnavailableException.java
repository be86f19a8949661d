package io.vecgrid.api;

/**
 * A sealed segment of the collection's current target has no serviceable copy on any live node, so the search
 * cannot be complete. Retry once the node holding it is back or its copies are rebuilt, or search with
 * {@code allowPartial} to get what is available.
 */
public class SegmentUnavailableException extends VecgridException {
    private static final long serialVersionUID = 1L;

    private final String collection;
    private final int shard;
    private final long segmentId;

    public SegmentUnavailableException(String collection, int shard, long segmentId, String detail) {
        super("segment " + segmentId + " of shard " + shard + " of collection '" + collection +
            "' has no serviceable copy on any live node (" + detail + "); the search cannot be complete: retry later " +
            "or set allowPartial");
        this.collection = collection;
        this.shard = shard;
        this.segmentId = segmentId;
    }

    public String collection() {
        return collection;
    }

    public int shard() {
        return shard;
    }

    public long segmentId() {
        return segmentId;
    }
}
