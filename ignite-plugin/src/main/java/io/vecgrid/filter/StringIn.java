package io.vecgrid.filter;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** {@code stringField in [...]} through a hash set. Immutable. */
final class StringIn extends FieldPredicate {
    private final Set<String> values;

    StringIn(int col, String name, List<String> values, boolean negated) {
        super(col, name, negated);
        this.values = new LinkedHashSet<>(values);
    }

    private StringIn(StringIn o, boolean negated) {
        super(o.col, o.name, negated);
        this.values = o.values;
    }

    @Override boolean matches(ScalarColumns cols, int row) {
        return values.contains(cols.stringValue(col, row));
    }

    @Override FieldPredicate flipped() {
        return new StringIn(this, !negated);
    }

    @Override String describe() {
        return name + " in " + values.stream().map(FilterLexer::quote).collect(Collectors.joining(", ", "[", "]"));
    }
}
