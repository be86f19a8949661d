package io.vecgrid.api;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** One hit: primary key, distance (metric semantics, see {@link Metric}) and the requested output fields. */
public final class SearchHit implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long pk;
    private final float distance;
    private final LinkedHashMap<String, Object> fields;
    private final float[] vector;

    public SearchHit(long pk, float distance, Map<String, Object> fields, float[] vector) {
        this.pk = pk;
        this.distance = distance;
        this.fields = fields == null || fields.isEmpty() ? null : new LinkedHashMap<>(fields);
        this.vector = vector;
    }

    public long pk() {
        return pk;
    }

    public float distance() {
        return distance;
    }

    /** @return requested scalar fields by name (empty if none were requested). */
    public Map<String, Object> fields() {
        return fields == null ? Collections.emptyMap() : Collections.unmodifiableMap(fields);
    }

    /** @return the vector if the vector field was requested, else {@code null}. */
    public float[] vector() {
        return vector;
    }

    @Override public String toString() {
        return "SearchHit[pk=" + pk + ", distance=" + distance + (fields == null ? "" : ", fields=" + fields) + "]";
    }
}
