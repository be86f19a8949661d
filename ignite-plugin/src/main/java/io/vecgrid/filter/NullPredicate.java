package io.vecgrid.filter;

/** {@code field is null} / {@code field is not null}. Immutable. */
final class NullPredicate extends RowPredicate {
    private final int col;
    private final String name;
    private final boolean isNull;

    NullPredicate(int col, String name, boolean isNull) {
        this.col = col;
        this.name = name;
        this.isNull = isNull;
    }

    @Override boolean test(ScalarColumns cols, int row) {
        return cols.isNull(col, row) == isNull;
    }

    @Override RowPredicate negate() {
        return new NullPredicate(col, name, !isNull);
    }

    @Override public String toString() {
        return name + (isNull ? " is null" : " is not null");
    }
}
