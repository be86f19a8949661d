package io.vecgrid.api;

/** What writes a search sees. */
public enum Consistency {
    /** Every write acknowledged before the search began (default). */
    STRONG,
    /** May use a growing-data snapshot up to a refresh interval old, for speed; sealed data is always current. */
    EVENTUALLY
}
