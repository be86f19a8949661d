package io.vecgrid.api;

import java.io.Serializable;
import java.util.Objects;

/** A named scalar field of a collection. Immutable. */
public final class ScalarField implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String name;
    private final ScalarType type;

    public ScalarField(String name, ScalarType type) {
        this.name = Objects.requireNonNull(name, "name");
        this.type = Objects.requireNonNull(type, "type");
    }

    public String name() {
        return name;
    }

    public ScalarType type() {
        return type;
    }

    @Override public boolean equals(Object o) {
        return o instanceof ScalarField && ((ScalarField)o).name.equals(name) && ((ScalarField)o).type == type;
    }

    @Override public int hashCode() {
        return name.hashCode() * 31 + type.hashCode();
    }

    @Override public String toString() {
        return name + ":" + type;
    }
}
