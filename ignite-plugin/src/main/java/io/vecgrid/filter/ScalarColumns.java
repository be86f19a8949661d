package io.vecgrid.filter;

/**
 * Column-wise access to the scalar fields of a block of rows (a segment, or the growing rows of a shard), as a
 * {@link ScalarFilter} reads them. {@code col} is the position of the field in the collection's
 * {@code List<ScalarField>} (schema order); {@code row} is the row's position in the block.
 *
 * <p>A filter calls only the accessor of the field's type, and only after {@link #isNull} returned {@code false}.
 * Implementations must allow concurrent reads if filters are evaluated by several threads at once.
 */
public interface ScalarColumns {
    /** @return value of a LONG field. */
    long longValue(int col, int row);

    /** @return value of a DOUBLE field. */
    double doubleValue(int col, int row);

    /** @return value of a BOOLEAN field. */
    boolean booleanValue(int col, int row);

    /** @return value of a STRING field, never {@code null} when {@link #isNull} is false. */
    String stringValue(int col, int row);

    /** @return true when the field has no value in this row; a null value matches no comparison. */
    boolean isNull(int col, int row);
}
