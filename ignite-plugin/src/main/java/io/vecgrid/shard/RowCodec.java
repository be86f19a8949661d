package io.vecgrid.shard;

import io.vecgrid.api.ScalarField;
import io.vecgrid.api.VectorRow;
import io.vecgrid.collection.CollectionMeta;
import org.apache.ignite.Ignite;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.binary.BinaryObjectBuilder;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Rows are stored as binary objects of the collection's own type (see {@link CollectionMeta#rowType()}): the vector
 * under the vector field's name, every scalar under its name, and three bookkeeping fields:
 * <ul>
 *   <li>{@value #VERSION}: a random id of this write, so a sealer can tell whether a row changed since its snapshot;</li>
 *   <li>{@value #SEGMENT}: 0 while the row is growing, else the id of the sealed segment holding it;</li>
 *   <li>{@value #SLOT}: affinity slot of that segment (to place delete marks next to it).</li>
 * </ul>
 */
public final class RowCodec {
    public static final String VERSION = "__version";
    public static final String SEGMENT = "__segment";
    public static final String SLOT = "__slot";

    private final Ignite ignite;
    private final CollectionMeta meta;

    public RowCodec(Ignite ignite, CollectionMeta meta) {
        this.ignite = ignite;
        this.meta = meta;
    }

    /** @return a growing row value. */
    public BinaryObject encode(long pk, float[] vector, Object[] scalars, long version) {
        BinaryObjectBuilder b = ignite.binary().builder(meta.rowType());
        b.setField(VERSION, version);
        b.setField(SEGMENT, 0L);
        b.setField(SLOT, 0);
        b.setField(meta.spec().vectorField(), vector);
        List<ScalarField> fields = meta.spec().scalarFields();
        for (int i = 0; i < fields.size(); i++) {
            @SuppressWarnings("unchecked")
            Class<Object> type = (Class<Object>)fields.get(i).type().javaType();
            b.setField(fields.get(i).name(), scalars[i], type);
        }
        return b.build();
    }

    /**
     * @param row a row stored by another generation of this collection's caches (same fields, another type name).
     * @return the same row, bookkeeping included, as this codec's generation stores it.
     */
    public BinaryObject recode(BinaryObject row) {
        BinaryObjectBuilder b = ignite.binary().builder(meta.rowType());
        b.setField(VERSION, version(row));
        b.setField(SEGMENT, segment(row));
        b.setField(SLOT, slot(row));
        b.setField(meta.spec().vectorField(), (float[])row.field(meta.spec().vectorField()));
        for (ScalarField f : meta.spec().scalarFields()) {
            @SuppressWarnings("unchecked")
            Class<Object> type = (Class<Object>)f.type().javaType();
            b.setField(f.name(), row.field(f.name()), type);
        }
        return b.build();
    }

    /** @return the same row marked as held by a sealed segment. */
    public static BinaryObject markSealed(BinaryObject row, long segmentId, int slot) {
        return row.toBuilder().setField(SEGMENT, segmentId).setField(SLOT, slot).build();
    }

    public static long version(BinaryObject row) {
        return row.<Long>field(VERSION);
    }

    /** @return id of the sealed segment holding the row, or 0 while it is growing. */
    public static long segment(BinaryObject row) {
        Long s = row.field(SEGMENT);
        return s == null ? 0 : s;
    }

    public static int slot(BinaryObject row) {
        Integer s = row.field(SLOT);
        return s == null ? 0 : s;
    }

    public float[] vector(BinaryObject row) {
        return row.field(meta.spec().vectorField());
    }

    /** @return scalar values in the spec's field order. */
    public Object[] scalars(BinaryObject row) {
        List<ScalarField> fields = meta.spec().scalarFields();
        Object[] res = new Object[fields.size()];
        for (int i = 0; i < res.length; i++)
            res[i] = row.field(fields.get(i).name());
        return res;
    }

    /**
     * @param withVector whether to include the vector.
     * @param fields scalar field names to include, or {@code null} for all.
     */
    public VectorRow toRow(long pk, BinaryObject row, boolean withVector, List<String> fields) {
        Map<String, Object> vals = new LinkedHashMap<>();
        for (ScalarField f : meta.spec().scalarFields()) {
            if (fields == null || fields.contains(f.name()))
                vals.put(f.name(), row.field(f.name()));
        }
        return new VectorRow(pk, withVector ? vector(row) : null, vals);
    }
}
