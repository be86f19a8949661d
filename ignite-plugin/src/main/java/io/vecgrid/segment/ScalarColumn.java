package io.vecgrid.segment;

import io.vecgrid.api.ScalarType;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * One scalar field of a sealed segment as a primitive column (nulls tracked apart). Immutable once built.
 */
public final class ScalarColumn {
    private final ScalarType type;
    private final long[] longs;
    private final double[] doubles;
    /** BOOLEAN values: 0 false, 1 true. */
    private final byte[] bools;
    private final String[] strings;
    private final boolean[] nulls;

    private ScalarColumn(ScalarType type, int rows) {
        this.type = type;
        longs = type == ScalarType.LONG ? new long[rows] : null;
        doubles = type == ScalarType.DOUBLE ? new double[rows] : null;
        bools = type == ScalarType.BOOLEAN ? new byte[rows] : null;
        strings = type == ScalarType.STRING ? new String[rows] : null;
        nulls = new boolean[rows];
    }

    /** @return a column holding {@code values} (boxed, possibly null). */
    public static ScalarColumn of(ScalarType type, Object[] values) {
        ScalarColumn c = new ScalarColumn(type, values.length);
        for (int i = 0; i < values.length; i++)
            c.set(i, values[i]);
        return c;
    }

    private void set(int row, Object v) {
        if (v == null) {
            nulls[row] = true;
            return;
        }
        switch (type) {
            case LONG: longs[row] = ((Number)v).longValue(); break;
            case DOUBLE: doubles[row] = ((Number)v).doubleValue(); break;
            case BOOLEAN: bools[row] = (byte)((Boolean)v ? 1 : 0); break;
            default: strings[row] = (String)v;
        }
    }

    public ScalarType type() {
        return type;
    }

    public int rows() {
        return nulls.length;
    }

    public boolean isNull(int row) {
        return nulls[row];
    }

    public long longValue(int row) {
        return longs[row];
    }

    public double doubleValue(int row) {
        return doubles[row];
    }

    public boolean booleanValue(int row) {
        return bools[row] == 1;
    }

    public String stringValue(int row) {
        return strings[row];
    }

    /** @return the value boxed, or {@code null}. */
    public Object value(int row) {
        if (nulls[row])
            return null;
        switch (type) {
            case LONG: return longs[row];
            case DOUBLE: return doubles[row];
            case BOOLEAN: return bools[row] == 1;
            default: return strings[row];
        }
    }

    /** @return heap bytes the column holds (arrays; strings estimated at 40 bytes plus one a character). */
    long heapBytes() {
        long n = rows();
        switch (type) {
            case LONG:
            case DOUBLE: return 9 * n;
            case BOOLEAN: return 2 * n;
            default:
                long size = 5 * n;
                for (String s : strings)
                    size += s == null ? 0 : 40 + s.length();
                return size;
        }
    }

    int encodedSize() {
        int n = rows();
        int size = 4 + n;
        switch (type) {
            case LONG:
            case DOUBLE: return size + 8 * n;
            case BOOLEAN: return size + n;
            default:
                for (String s : strings)
                    size += 4 + (s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length);
                return size;
        }
    }

    void encode(ByteBuffer buf) {
        buf.putInt(type.ordinal());
        int n = rows();
        for (boolean b : nulls)
            buf.put((byte)(b ? 1 : 0));
        switch (type) {
            case LONG: buf.asLongBuffer().put(longs); buf.position(buf.position() + 8 * n); break;
            case DOUBLE: buf.asDoubleBuffer().put(doubles); buf.position(buf.position() + 8 * n); break;
            case BOOLEAN: buf.put(bools); break;
            default:
                for (String s : strings) {
                    byte[] b = s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
                    buf.putInt(b.length);
                    buf.put(b);
                }
        }
    }

    static ScalarColumn decode(ByteBuffer buf, int rows) {
        ScalarColumn c = new ScalarColumn(ScalarType.values()[buf.getInt()], rows);
        for (int i = 0; i < rows; i++)
            c.nulls[i] = buf.get() == 1;
        switch (c.type) {
            case LONG: buf.asLongBuffer().get(c.longs); buf.position(buf.position() + 8 * rows); break;
            case DOUBLE: buf.asDoubleBuffer().get(c.doubles); buf.position(buf.position() + 8 * rows); break;
            case BOOLEAN: buf.get(c.bools); break;
            default:
                for (int i = 0; i < rows; i++) {
                    byte[] b = new byte[buf.getInt()];
                    buf.get(b);
                    c.strings[i] = c.nulls[i] ? null : new String(b, StandardCharsets.UTF_8);
                }
        }
        return c;
    }
}
