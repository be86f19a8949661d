package io.vecgrid.filter;

import java.util.Arrays;

/** {@code longField in [...]}: binary search in the sorted, de-duplicated literals. Immutable. */
final class LongIn extends FieldPredicate {
    private final long[] values;

    LongIn(int col, String name, long[] values, boolean negated) {
        super(col, name, negated);
        this.values = Arrays.stream(values).sorted().distinct().toArray();
    }

    private LongIn(LongIn o, boolean negated) {
        super(o.col, o.name, negated);
        this.values = o.values;
    }

    @Override boolean matches(ScalarColumns cols, int row) {
        return Arrays.binarySearch(values, cols.longValue(col, row)) >= 0;
    }

    @Override FieldPredicate flipped() {
        return new LongIn(this, !negated);
    }

    @Override String describe() {
        return name + " in " + Arrays.toString(values);
    }
}
