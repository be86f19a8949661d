package io.vecgrid.filter;

/** {@code stringField <op> 'literal'}, ordered by {@link String#compareTo} (UTF-16 code units). Immutable. */
final class StringCompare extends FieldPredicate {
    private final CompareOp op;
    private final String literal;

    StringCompare(int col, String name, CompareOp op, String literal, boolean negated) {
        super(col, name, negated);
        this.op = op;
        this.literal = literal;
    }

    @Override boolean matches(ScalarColumns cols, int row) {
        String v = cols.stringValue(col, row);
        if (op == CompareOp.EQ)
            return literal.equals(v);
        if (op == CompareOp.NE)
            return !literal.equals(v);
        return op.test(v.compareTo(literal));
    }

    @Override FieldPredicate flipped() {
        return new StringCompare(col, name, op, literal, !negated);
    }

    @Override String describe() {
        return name + " " + op.symbol() + " " + FilterLexer.quote(literal);
    }
}
