package io.vecgrid.filter;

/**
 * A boolean field tested against literals: {@code flag == true}, {@code flag != false}, {@code flag in [true]},
 * or the bare field {@code flag}. Kept as the set of values that match. Immutable.
 */
final class BooleanIn extends FieldPredicate {
    private final boolean matchTrue;
    private final boolean matchFalse;

    BooleanIn(int col, String name, boolean matchTrue, boolean matchFalse, boolean negated) {
        super(col, name, negated);
        this.matchTrue = matchTrue;
        this.matchFalse = matchFalse;
    }

    @Override boolean matches(ScalarColumns cols, int row) {
        return cols.booleanValue(col, row) ? matchTrue : matchFalse;
    }

    @Override FieldPredicate flipped() {
        return new BooleanIn(col, name, matchTrue, matchFalse, !negated);
    }

    @Override String describe() {
        if (matchTrue && matchFalse)
            return name + " in [true, false]";
        if (!matchTrue && !matchFalse)
            return name + " in []";
        return name + " == " + matchTrue;
    }
}
