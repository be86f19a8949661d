package io.vecgrid.filter;

/**
 * {@code longField <op> fractionalLiteral}, compared exactly (no rounding of the long to double: {@code 2^53 + 1}
 * is greater than {@code 9007199254740992.0}). Immutable.
 */
final class LongDoubleCompare extends FieldPredicate {
    private static final double TWO_63 = 0x1p63;

    private final CompareOp op;
    private final double literal;

    LongDoubleCompare(int col, String name, CompareOp op, double literal, boolean negated) {
        super(col, name, negated);
        assert !Double.isNaN(literal);
        this.op = op;
        this.literal = literal;
    }

    /** @return the sign of {@code v - d}, exactly; {@code d} is not NaN. */
    static int compare(long v, double d) {
        if (d >= TWO_63)
            return -1;
        if (d < -TWO_63)
            return 1;
        double f = Math.floor(d);
        long fl = (long)f;
        if (v != fl)
            return v < fl ? -1 : 1;
        return d > f ? -1 : 0;
    }

    @Override boolean matches(ScalarColumns cols, int row) {
        return op.test(compare(cols.longValue(col, row), literal));
    }

    @Override FieldPredicate flipped() {
        return new LongDoubleCompare(col, name, op, literal, !negated);
    }

    @Override String describe() {
        return name + " " + op.symbol() + " " + literal;
    }
}
