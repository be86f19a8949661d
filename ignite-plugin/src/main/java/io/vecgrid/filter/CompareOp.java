package io.vecgrid.filter;

/** A comparison operator of the filter language. Immutable. */
enum CompareOp {
    EQ("=="),
    NE("!="),
    LT("<"),
    LE("<="),
    GT(">"),
    GE(">=");

    private final String symbol;

    CompareOp(String symbol) {
        this.symbol = symbol;
    }

    String symbol() {
        return symbol;
    }

    /** @return true for {@code ==} and {@code !=}, the only operators boolean fields take. */
    boolean isEquality() {
        return this == EQ || this == NE;
    }

    /** @return the operator with its operands swapped: {@code 5 < a} is {@code a > 5}. */
    CompareOp swapped() {
        switch (this) {
            case LT:
                return GT;
            case LE:
                return GE;
            case GT:
                return LT;
            case GE:
                return LE;
            default:
                return this;
        }
    }

    /** @return whether a three-way comparison result {@code cmp} (value vs literal) satisfies the operator. */
    boolean test(int cmp) {
        switch (this) {
            case EQ:
                return cmp == 0;
            case NE:
                return cmp != 0;
            case LT:
                return cmp < 0;
            case LE:
                return cmp <= 0;
            case GT:
                return cmp > 0;
            default:
                return cmp >= 0;
        }
    }

    static CompareOp ofSymbol(String s) {
        for (CompareOp op : values()) {
            if (op.symbol.equals(s))
                return op;
        }
        throw new IllegalArgumentException("not a comparison operator: " + s);
    }
}
