package io.vecgrid.filter;

/**
 * A compiled filter node. Immutable and thread-safe.
 *
 * <p>Negation is pushed down to the leaves when the filter is compiled ({@link #negate}: De Morgan over
 * {@code and}/{@code or}, a flag on each leaf), and every comparison leaf answers {@code false} for a null value,
 * negated or not. That gives SQL's three-valued outcome without a third value: a row with a null field matches
 * neither {@code a < 5} nor {@code not (a < 5)}.
 */
abstract class RowPredicate {
    /** @return whether row {@code row} matches. */
    abstract boolean test(ScalarColumns cols, int row);

    /** @return the predicate matching exactly the rows for which {@code not this} is true. */
    abstract RowPredicate negate();
}
