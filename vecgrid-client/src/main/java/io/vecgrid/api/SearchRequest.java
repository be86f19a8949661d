package io.vecgrid.api;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A top-k search: one or more query vectors ({@code nq >= 1}), optional scalar filter and output fields, a
 * consistency level, a timeout, and whether a partial answer is acceptable. Immutable; build with
 * {@link #builder(String, float[][], int)}. Checked against the collection by the router (dimension, topK limit,
 * filter fields) before anything runs.
 */
public final class SearchRequest implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String collection;
    private final float[][] vectors;
    private final int topK;
    private final String filter;
    private final ArrayList<String> outputFields;
    private final Consistency consistency;
    private final long timeoutMillis;
    private final boolean allowPartial;
    private final int ef;
    private final boolean diagnostics;

    private SearchRequest(Builder b) {
        collection = b.collection;
        vectors = b.vectors;
        topK = b.topK;
        filter = b.filter;
        outputFields = b.outputFields == null ? null : new ArrayList<>(b.outputFields);
        consistency = b.consistency;
        timeoutMillis = b.timeoutMillis;
        allowPartial = b.allowPartial;
        ef = b.ef;
        diagnostics = b.diagnostics;
    }

    /**
     * @param collection collection name.
     * @param vectors query vectors, one per row.
     * @param topK hits wanted per query.
     */
    public static Builder builder(String collection, float[][] vectors, int topK) {
        return new Builder(collection, vectors, topK);
    }

    public String collection() {
        return collection;
    }

    /** @return query vectors (not copied). */
    public float[][] vectors() {
        return vectors;
    }

    public int topK() {
        return topK;
    }

    /** @return filter expression over scalar fields, or {@code null}. */
    public String filter() {
        return filter;
    }

    /** @return fields to return with each hit ({@code null} or empty: none). */
    public List<String> outputFields() {
        return outputFields == null ? Collections.emptyList() : Collections.unmodifiableList(outputFields);
    }

    public Consistency consistency() {
        return consistency;
    }

    /** @return timeout, ms; 0 for the node's default. */
    public long timeoutMillis() {
        return timeoutMillis;
    }

    public boolean allowPartial() {
        return allowPartial;
    }

    /** @return HNSW search beam width; 0 for the collection's default. */
    public int ef() {
        return ef;
    }

    /** @return whether the result carries {@link SearchDiagnostics}. */
    public boolean diagnostics() {
        return diagnostics;
    }

    /** Builder. */
    public static final class Builder {
        private final String collection;
        private final float[][] vectors;
        private final int topK;
        private String filter;
        private List<String> outputFields;
        private Consistency consistency = Consistency.STRONG;
        private long timeoutMillis;
        private boolean allowPartial;
        private int ef;
        private boolean diagnostics;

        private Builder(String collection, float[][] vectors, int topK) {
            this.collection = collection;
            this.vectors = vectors;
            this.topK = topK;
        }

        public Builder filter(String filter) {
            this.filter = filter;
            return this;
        }

        public Builder outputFields(List<String> outputFields) {
            this.outputFields = outputFields;
            return this;
        }

        public Builder consistency(Consistency consistency) {
            this.consistency = consistency == null ? Consistency.STRONG : consistency;
            return this;
        }

        public Builder timeoutMillis(long timeoutMillis) {
            this.timeoutMillis = timeoutMillis;
            return this;
        }

        public Builder allowPartial(boolean allowPartial) {
            this.allowPartial = allowPartial;
            return this;
        }

        public Builder ef(int ef) {
            this.ef = ef;
            return this;
        }

        public Builder diagnostics(boolean diagnostics) {
            this.diagnostics = diagnostics;
            return this;
        }

        public SearchRequest build() {
            return new SearchRequest(this);
        }
    }
}
