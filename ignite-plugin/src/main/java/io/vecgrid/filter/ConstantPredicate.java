package io.vecgrid.filter;

/** {@code true} or {@code false}. Immutable. */
final class ConstantPredicate extends RowPredicate {
    static final ConstantPredicate TRUE = new ConstantPredicate(true);
    static final ConstantPredicate FALSE = new ConstantPredicate(false);

    private final boolean value;

    private ConstantPredicate(boolean value) {
        this.value = value;
    }

    @Override boolean test(ScalarColumns cols, int row) {
        return value;
    }

    @Override RowPredicate negate() {
        return value ? FALSE : TRUE;
    }

    @Override public String toString() {
        return String.valueOf(value);
    }
}
