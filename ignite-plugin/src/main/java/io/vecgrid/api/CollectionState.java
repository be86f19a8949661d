package io.vecgrid.api;

/** Life cycle of a collection. */
public enum CollectionState {
    /** Metadata written, caches being created. */
    CREATING,
    /** Serving reads and writes. */
    READY,
    /** Being dropped. */
    DROPPING
}
