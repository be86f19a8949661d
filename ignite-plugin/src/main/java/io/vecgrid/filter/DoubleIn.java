package io.vecgrid.filter;

import java.util.Arrays;

/** {@code doubleField in [...]} with {@code ==} semantics ({@code -0.0} equals {@code 0.0}; NaN equals nothing). Immutable. */
final class DoubleIn extends FieldPredicate {
    private final double[] values;

    DoubleIn(int col, String name, double[] values, boolean negated) {
        super(col, name, negated);
        this.values = Arrays.stream(values).map(v -> v == 0 ? 0.0 : v).filter(v -> !Double.isNaN(v)).sorted().distinct().toArray();
    }

    private DoubleIn(DoubleIn o, boolean negated) {
        super(o.col, o.name, negated);
        this.values = o.values;
    }

    @Override boolean matches(ScalarColumns cols, int row) {
        double v = cols.doubleValue(col, row);
        if (v != v)
            return false;
        return Arrays.binarySearch(values, v == 0 ? 0.0 : v) >= 0;
    }

    @Override FieldPredicate flipped() {
        return new DoubleIn(this, !negated);
    }

    @Override String describe() {
        return name + " in " + Arrays.toString(values);
    }
}
