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
 * How a collection's rows are stored, as binary objects of the collection's own types:
 * <ul>
 *   <li>a <b>growing row</b> ({@link CollectionMeta#rowType()}, rows cache): the vector under the vector field's name,
 *   every scalar under its name, and the bookkeeping fields {@value #VERSION} and {@value #SEGMENT};</li>
 *   <li>a <b>location</b> ({@link CollectionMeta#locType()}, locations cache): every scalar under its name and the same
 *   two bookkeeping fields, no vector. Every live row has one; a sealed row has nothing else outside its segment.</li>
 * </ul>
 * {@value #VERSION} is a random id of the write, so a sealer can tell whether a row changed since its snapshot;
 * {@value #SEGMENT} is 0 while the row is growing, else the id of the segment that holds (or is sealing) it.
 */
public final class RowCodec {
    public static final String VERSION = "__version";
    public static final String SEGMENT = "__segment";

    private final Ignite ignite;
    private final CollectionMeta meta;

    public RowCodec(Ignite ignite, CollectionMeta meta) {
        this.ignite = ignite;
        this.meta = meta;
    }

    /** @return a growing row value. */
    public BinaryObject encodeRow(float[] vector, Object[] scalars, long version) {
        BinaryObjectBuilder b = ignite.binary().builder(meta.rowType());
        b.setField(VERSION, version);
        b.setField(SEGMENT, 0L);
        b.setField(meta.spec().vectorField(), vector);
        setScalars(b, scalars);
        return b.build();
    }

    /** @return a location value. */
    public BinaryObject encodeLoc(Object[] scalars, long version, long segment) {
        BinaryObjectBuilder b = ignite.binary().builder(meta.locType());
        b.setField(VERSION, version);
        b.setField(SEGMENT, segment);
        setScalars(b, scalars);
        return b.build();
    }

    private void setScalars(BinaryObjectBuilder b, Object[] scalars) {
        List<ScalarField> fields = meta.spec().scalarFields();
        for (int i = 0; i < fields.size(); i++) {
            @SuppressWarnings("unchecked")
            Class<Object> type = (Class<Object>)fields.get(i).type().javaType();
            b.setField(fields.get(i).name(), scalars[i], type);
        }
    }

    /**
     * @param value a growing row or a location stored by another generation of this collection's caches (same fields,
     *      another type name).
     * @return the same value, bookkeeping included, as this codec's generation stores it.
     */
    public BinaryObject recode(BinaryObject value, boolean loc) {
        BinaryObjectBuilder b = ignite.binary().builder(loc ? meta.locType() : meta.rowType());
        b.setField(VERSION, version(value));
        b.setField(SEGMENT, segment(value));
        if (!loc)
            b.setField(meta.spec().vectorField(), (float[])value.field(meta.spec().vectorField()));
        setScalars(b, scalars(value));
        return b.build();
    }

    /** @return the same value marked as held by segment {@code segmentId}. */
    public static BinaryObject withSegment(BinaryObject value, long segmentId) {
        return value.toBuilder().setField(SEGMENT, segmentId).build();
    }

    public static long version(BinaryObject value) {
        return value.<Long>field(VERSION);
    }

    /** @return id of the segment holding the row, or 0 while it is growing. */
    public static long segment(BinaryObject value) {
        Long s = value.field(SEGMENT);
        return s == null ? 0 : s;
    }

    public float[] vector(BinaryObject row) {
        return row.field(meta.spec().vectorField());
    }

    /** @return scalar values in the spec's field order. */
    public Object[] scalars(BinaryObject value) {
        List<ScalarField> fields = meta.spec().scalarFields();
        Object[] res = new Object[fields.size()];
        for (int i = 0; i < res.length; i++)
            res[i] = value.field(fields.get(i).name());
        return res;
    }

    /**
     * @param vector the row's vector, or {@code null} to leave it out.
     * @param fields scalar field names to include, or {@code null} for all.
     */
    public VectorRow toRow(long pk, BinaryObject value, float[] vector, List<String> fields) {
        Map<String, Object> vals = new LinkedHashMap<>();
        for (ScalarField f : meta.spec().scalarFields()) {
            if (fields == null || fields.contains(f.name()))
                vals.put(f.name(), value.field(f.name()));
        }
        return new VectorRow(pk, vector, vals);
    }
}
