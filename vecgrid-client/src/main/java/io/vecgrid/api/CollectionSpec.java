package io.vecgrid.api;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a collection is: name, primary key field, one float vector field, scalar fields, metric, index, shards and
 * in-memory replicas. Immutable; built with {@link #builder(String)}, which validates every rule.
 */
public final class CollectionSpec implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Default name of the primary key field. */
    public static final String DFLT_PK_FIELD = "id";
    /** Default name of the vector field. */
    public static final String DFLT_VECTOR_FIELD = "vector";

    private final String name;
    private final String pkField;
    private final String vectorField;
    private final int dimension;
    private final Metric metric;
    private final IndexSpec index;
    private final ArrayList<ScalarField> scalarFields;
    private final int shards;
    private final int replicas;

    private CollectionSpec(Builder b) {
        name = b.name;
        pkField = b.pkField;
        vectorField = b.vectorField;
        dimension = b.dimension;
        metric = b.metric;
        index = b.index;
        scalarFields = new ArrayList<>(b.scalarFields);
        shards = b.shards;
        replicas = b.replicas;
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** @return a builder holding this spec's values. */
    public Builder toBuilder() {
        Builder b = new Builder(name).pkField(pkField).vectorField(vectorField).dimension(dimension).metric(metric)
            .index(index).shards(shards).replicas(replicas);
        for (ScalarField f : scalarFields)
            b.scalarField(f.name(), f.type());
        return b;
    }

    public String name() {
        return name;
    }

    public String pkField() {
        return pkField;
    }

    public String vectorField() {
        return vectorField;
    }

    public int dimension() {
        return dimension;
    }

    public Metric metric() {
        return metric;
    }

    public IndexSpec index() {
        return index;
    }

    /** @return scalar fields in declaration order (the order of columns in segments). */
    public List<ScalarField> scalarFields() {
        return Collections.unmodifiableList(scalarFields);
    }

    /** @return index of the scalar field, or -1. */
    public int scalarIndex(String field) {
        for (int i = 0; i < scalarFields.size(); i++) {
            if (scalarFields.get(i).name().equals(field))
                return i;
        }
        return -1;
    }

    public int shards() {
        return shards;
    }

    public int replicas() {
        return replicas;
    }

    @Override public String toString() {
        return "CollectionSpec[name=" + name + ", dim=" + dimension + ", metric=" + metric + ", index=" + index +
            ", scalars=" + scalarFields + ", shards=" + shards + ", replicas=" + replicas + "]";
    }

    /** Builder; {@link #build()} validates. */
    public static final class Builder {
        private final String name;
        private String pkField = DFLT_PK_FIELD;
        private String vectorField = DFLT_VECTOR_FIELD;
        private int dimension;
        private Metric metric = Metric.L2;
        private IndexSpec index = IndexSpec.hnsw();
        private final List<ScalarField> scalarFields = new ArrayList<>();
        private int shards = Limits.DFLT_SHARDS;
        private int replicas = Limits.DFLT_REPLICAS;

        private Builder(String name) {
            this.name = name;
        }

        public Builder pkField(String pkField) {
            this.pkField = pkField;
            return this;
        }

        public Builder vectorField(String vectorField) {
            this.vectorField = vectorField;
            return this;
        }

        public Builder dimension(int dimension) {
            this.dimension = dimension;
            return this;
        }

        public Builder metric(Metric metric) {
            this.metric = metric;
            return this;
        }

        public Builder index(IndexSpec index) {
            this.index = index;
            return this;
        }

        public Builder scalarField(String name, ScalarType type) {
            scalarFields.add(new ScalarField(name, type));
            return this;
        }

        public Builder shards(int shards) {
            this.shards = shards;
            return this;
        }

        public Builder replicas(int replicas) {
            this.replicas = replicas;
            return this;
        }

        /**
         * @return the validated spec.
         * @throws InvalidRequestException naming the first field that breaks a rule.
         */
        public CollectionSpec build() {
            Limits.checkName("collection name", name);
            Limits.checkName("primary key field name", pkField);
            Limits.checkName("vector field name", vectorField);
            if (dimension < 1 || dimension > Limits.MAX_DIMENSION)
                throw new InvalidRequestException("dimension must be in [1, " + Limits.MAX_DIMENSION + "], got " + dimension);
            if (metric == null)
                throw new InvalidRequestException("metric must be one of L2, IP, COSINE, got null");
            if (index == null)
                throw new InvalidRequestException("index must be set (FLAT or HNSW), got null");
            if (shards < 1 || shards > Limits.MAX_SHARDS)
                throw new InvalidRequestException("shardsNum must be in [1, " + Limits.MAX_SHARDS + "], got " + shards);
            if (replicas < 1)
                throw new InvalidRequestException("replicaNumber must be at least 1, got " + replicas);
            if (scalarFields.size() > Limits.MAX_SCALAR_FIELDS)
                throw new InvalidRequestException("at most " + Limits.MAX_SCALAR_FIELDS + " scalar fields, got " + scalarFields.size());
            Set<String> seen = new HashSet<>();
            seen.add(pkField);
            if (!seen.add(vectorField))
                throw new InvalidRequestException("field name '" + vectorField + "' is used twice");
            for (ScalarField f : scalarFields) {
                Limits.checkName("scalar field name", f.name());
                if (!seen.add(f.name()))
                    throw new InvalidRequestException("field name '" + f.name() + "' is used twice");
            }
            return new CollectionSpec(this);
        }
    }
}
