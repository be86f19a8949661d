package io.vecgrid.api;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** One entity: primary key, vector and scalar field values (a field left out is null). */
public final class VectorRow implements Serializable {
    private static final long serialVersionUID = 1L;

    private final long pk;
    private final float[] vector;
    private final LinkedHashMap<String, Object> fields;

    public VectorRow(long pk, float[] vector) {
        this(pk, vector, Collections.emptyMap());
    }

    public VectorRow(long pk, float[] vector, Map<String, ?> fields) {
        this.pk = pk;
        this.vector = vector;
        this.fields = new LinkedHashMap<>(fields == null ? Collections.emptyMap() : fields);
    }

    public long pk() {
        return pk;
    }

    /** @return the vector (not copied), or {@code null} when it was not requested. */
    public float[] vector() {
        return vector;
    }

    /** @return scalar field values by name. */
    public Map<String, Object> fields() {
        return Collections.unmodifiableMap(fields);
    }

    /** @return value of a scalar field, or {@code null}. */
    public Object field(String name) {
        return fields.get(name);
    }

    @Override public String toString() {
        return "VectorRow[pk=" + pk + ", dim=" + (vector == null ? 0 : vector.length) + ", fields=" + fields + "]";
    }
}
