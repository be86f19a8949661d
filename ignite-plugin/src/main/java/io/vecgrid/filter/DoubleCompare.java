package io.vecgrid.filter;

/** {@code doubleField <op> numericLiteral}, with Java's (IEEE) comparison: NaN matches only {@code !=}. Immutable. */
final class DoubleCompare extends FieldPredicate {
    private final CompareOp op;
    private final double literal;

    DoubleCompare(int col, String name, CompareOp op, double literal, boolean negated) {
        super(col, name, negated);
        this.op = op;
        this.literal = literal;
    }

    @Override boolean matches(ScalarColumns cols, int row) {
        double v = cols.doubleValue(col, row);
        switch (op) {
            case EQ:
                return v == literal;
            case NE:
                return v != literal;
            case LT:
                return v < literal;
            case LE:
                return v <= literal;
            case GT:
                return v > literal;
            default:
                return v >= literal;
        }
    }

    @Override FieldPredicate flipped() {
        return new DoubleCompare(col, name, op, literal, !negated);
    }

    @Override String describe() {
        return name + " " + op.symbol() + " " + literal;
    }
}
