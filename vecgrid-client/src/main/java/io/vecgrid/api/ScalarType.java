package io.vecgrid.api;

/** Type of a scalar (non-vector) field. */
public enum ScalarType {
    LONG(Long.class),
    DOUBLE(Double.class),
    BOOLEAN(Boolean.class),
    STRING(String.class);

    private final Class<?> javaType;

    ScalarType(Class<?> javaType) {
        this.javaType = javaType;
    }

    /** @return the Java type values of this field have. */
    public Class<?> javaType() {
        return javaType;
    }
}
