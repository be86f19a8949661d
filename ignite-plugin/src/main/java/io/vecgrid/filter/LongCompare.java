package io.vecgrid.filter;

/** {@code longField <op> integerLiteral}. Immutable. */
final class LongCompare extends FieldPredicate {
    private final CompareOp op;
    private final long literal;

    LongCompare(int col, String name, CompareOp op, long literal, boolean negated) {
        super(col, name, negated);
        this.op = op;
        this.literal = literal;
    }

    @Override boolean matches(ScalarColumns cols, int row) {
        return op.test(Long.compare(cols.longValue(col, row), literal));
    }

    @Override FieldPredicate flipped() {
        return new LongCompare(col, name, op, literal, !negated);
    }

    @Override String describe() {
        return name + " " + op.symbol() + " " + literal;
    }
}
