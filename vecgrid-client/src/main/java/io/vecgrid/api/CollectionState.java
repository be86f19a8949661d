package io.vecgrid.api;

/** Life cycle of a collection. */
public enum CollectionState {
    /** Metadata written, caches being created. */
    CREATING,
    /** Serving reads and writes. */
    READY,
    /** Changing its replica number: new copies are being built; writes wait, searches go on. */
    RESHAPING,
    /** Being dropped. */
    DROPPING
}
