package io.vecgrid.api;

/** Index built over each sealed segment. Growing data is always scanned exactly. */
public enum IndexType {
    /** Exact scan through the SIMD distance kernel. */
    FLAT,
    /** Hierarchical navigable small-world graph (built and searched by vecgrid's own code, in jvector's graph model). */
    HNSW
}
