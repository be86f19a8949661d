package io.vecgrid.filter;

/**
 * A test on one field's value: {@code false} when the value is null, otherwise {@link #matches} XOR the negation
 * flag. Immutable.
 */
abstract class FieldPredicate extends RowPredicate {
    final int col;
    final String name;
    final boolean negated;

    FieldPredicate(int col, String name, boolean negated) {
        this.col = col;
        this.name = name;
        this.negated = negated;
    }

    @Override final boolean test(ScalarColumns cols, int row) {
        return !cols.isNull(col, row) && matches(cols, row) != negated;
    }

    /** @return whether the (non-null) value of the field in {@code row} satisfies the test, before negation. */
    abstract boolean matches(ScalarColumns cols, int row);

    /** @return this test with the negation flag flipped. */
    abstract FieldPredicate flipped();

    /** @return the test before negation, as filter text. */
    abstract String describe();

    @Override final RowPredicate negate() {
        return flipped();
    }

    @Override public final String toString() {
        return negated ? "not(" + describe() + ")" : describe();
    }
}
