package io.vecgrid.filter;

import java.util.List;

/** {@code and} / {@code or} over two or more predicates, short-circuiting left to right. Immutable. */
final class Junction extends RowPredicate {
    private final boolean and;
    private final RowPredicate[] parts;

    Junction(boolean and, List<RowPredicate> parts) {
        assert parts.size() >= 2;
        this.and = and;
        this.parts = parts.toArray(new RowPredicate[0]);
    }

    private Junction(boolean and, RowPredicate[] parts) {
        this.and = and;
        this.parts = parts;
    }

    @Override boolean test(ScalarColumns cols, int row) {
        if (and) {
            for (RowPredicate p : parts) {
                if (!p.test(cols, row))
                    return false;
            }
            return true;
        }
        for (RowPredicate p : parts) {
            if (p.test(cols, row))
                return true;
        }
        return false;
    }

    @Override RowPredicate negate() {
        RowPredicate[] neg = new RowPredicate[parts.length];
        for (int i = 0; i < parts.length; i++)
            neg[i] = parts[i].negate();
        return new Junction(!and, neg);
    }

    @Override public String toString() {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < parts.length; i++)
            sb.append(i == 0 ? "" : and ? " and " : " or ").append(parts[i]);
        return sb.append(')').toString();
    }
}
