package io.vecgrid.filter;

import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.util.FixedBitSet;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.ScalarField;
import java.util.List;

/**
 * A boolean filter over scalar fields, in Milvus's expression language, parsed and type-checked once against the
 * collection's schema, then evaluated per row. Immutable and thread-safe.
 *
 * <p>Language: comparisons {@code == != < <= > >=} between a field and a literal (either side), {@code in [...]} and
 * {@code not in [...]}, {@code is null} and {@code is not null}, {@code and}/{@code &&}, {@code or}/{@code ||},
 * {@code not}/{@code !}, parentheses, and a BOOLEAN field alone. Literals: integers and decimals (signed, with
 * exponent), strings in single or double quotes with backslash escapes, {@code true}/{@code false}. Keywords are
 * case-insensitive. Precedence: {@code not}, then {@code and}, then {@code or}.
 *
 * <p>Types: LONG fields take integers, and decimals compared exactly ({@code age > 2.5} is {@code age >= 3});
 * DOUBLE fields take any number; STRING fields take strings, ordered by {@link String#compareTo}; BOOLEAN fields take
 * {@code true}/{@code false} with {@code ==}, {@code !=} and {@code in} only. A null value matches no comparison and
 * no {@code in}, negated or not (SQL's three-valued logic): only {@code is null} finds it.
 *
 * <p>Errors are {@link InvalidRequestException}s: a syntax error names the index in the expression; an unknown
 * field lists the known ones; a type mismatch names the field, its type and the literal.
 */
public final class ScalarFilter {
    /** Longest expression accepted. */
    public static final int MAX_LENGTH = 64 * 1024;

    private final String expression;
    private final RowPredicate predicate;

    private ScalarFilter(String expression, RowPredicate predicate) {
        this.expression = expression;
        this.predicate = predicate;
    }

    /**
     * @param expr filter expression.
     * @param schema the collection's scalar fields; a field's position in it is its {@code col} in
     *      {@link ScalarColumns}.
     * @return the compiled filter.
     * @throws InvalidRequestException if the expression is empty, malformed, names an unknown field or compares a
     *      field with a literal of another type.
     */
    public static ScalarFilter parse(String expr, List<ScalarField> schema) {
        if (schema == null)
            throw new IllegalArgumentException("schema must not be null");
        if (expr == null)
            throw new InvalidRequestException("filter expression must not be null");
        if (expr.isBlank())
            throw new InvalidRequestException("filter expression is empty");
        if (expr.length() > MAX_LENGTH)
            throw new InvalidRequestException("filter expression has " + expr.length() + " characters, at most " + MAX_LENGTH + " are accepted");
        return new ScalarFilter(expr, FilterParser.parse(expr, schema));
    }

    /** @return the expression as given. */
    public String expression() {
        return expression;
    }

    /** @return whether row {@code row} of {@code cols} matches. */
    public boolean test(ScalarColumns cols, int row) {
        return predicate.test(cols, row);
    }

    /**
     * Evaluates the filter over rows {@code 0..rows-1}, for an index search.
     *
     * @param cols column data of the rows.
     * @param rows number of rows.
     * @param also rows that must also be accepted (typically: not deleted); {@code null} for all. The filter is only
     *      evaluated where it accepts.
     * @return the rows that pass both, as a bit set sized to {@code rows} (its cardinality is known, which lets a
     *      graph index choose between walking the graph and an exact scan).
     */
    public FixedBitSet acceptBits(ScalarColumns cols, int rows, Bits also) {
        if (rows < 0)
            throw new IllegalArgumentException("rows must not be negative, got " + rows);
        FixedBitSet bits = new FixedBitSet(rows);
        for (int r = 0; r < rows; r++) {
            if ((also == null || also.get(r)) && predicate.test(cols, r))
                bits.set(r);
        }
        return bits;
    }

    /** @return the compiled form, negations pushed to the leaves: {@code (a == 1 or (b < 2 and not(c in [3])))}. */
    @Override public String toString() {
        return predicate.toString();
    }
}
