package io.vecgrid.filter;

import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.ScalarField;
import io.vecgrid.api.ScalarType;
import io.vecgrid.filter.FilterLexer.Token;
import io.vecgrid.filter.FilterLexer.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Recursive-descent parser that type-checks against the schema while it parses and emits the compiled predicate
 * directly. Hand-written because the grammar is a dozen lines: a parser generator would add a build plugin and a
 * runtime dependency to every node and client for no gain, and error messages are easier to make precise here.
 *
 * <pre>
 * filter     := or EOF
 * or         := and (('or' | '||') and)*
 * and        := unary (('and' | '&amp;&amp;') unary)*
 * unary      := ('not' | '!') unary | primary
 * primary    := '(' or ')' | 'true' | 'false'
 *             | field op literal | literal op field
 *             | field ['not'] 'in' '[' [literal (',' literal)*] ']'
 *             | field 'is' ['not'] 'null'
 *             | field                                  (a BOOLEAN field alone: field == true)
 * op         := '==' | '!=' | '&lt;' | '&lt;=' | '&gt;' | '&gt;='
 * literal    := integer | float | string | 'true' | 'false'
 * </pre>
 * So {@code not} binds tightest, then {@code and}, then {@code or}. Single use; not thread-safe.
 */
final class FilterParser {
    /** Deepest nesting of parentheses and {@code not} accepted: keeps recursion far from the stack's end. */
    static final int MAX_DEPTH = 200;

    private final String src;
    private final List<Token> tokens;
    private final List<ScalarField> schema;
    private final Map<String, Integer> columns = new HashMap<>();
    private int pos;
    private int depth;

    private FilterParser(String src, List<ScalarField> schema) {
        this.src = src;
        this.tokens = FilterLexer.tokenize(src);
        this.schema = schema;
        for (int i = schema.size() - 1; i >= 0; i--)
            columns.put(schema.get(i).name(), i);
    }

    static RowPredicate parse(String src, List<ScalarField> schema) {
        FilterParser p = new FilterParser(src, schema);
        RowPredicate pred = p.or();
        Token t = p.peek();
        if (t.type != Type.EOF)
            throw p.error(t, "expected 'and', 'or' or the end of the expression, found " + t.describe());
        return pred;
    }

    private Token peek() {
        return tokens.get(pos);
    }

    private Token next() {
        Token t = tokens.get(pos);
        if (t.type != Type.EOF)
            pos++;
        return t;
    }

    private InvalidRequestException error(Token at, String detail) {
        return FilterLexer.syntaxError(src, at.pos, detail);
    }

    private void enter(Token at) {
        if (++depth > MAX_DEPTH)
            throw error(at, "expression nests deeper than " + MAX_DEPTH + " levels");
    }

    private RowPredicate or() {
        List<RowPredicate> parts = new ArrayList<>();
        parts.add(and());
        while (peek().type == Type.OR) {
            next();
            parts.add(and());
        }
        return parts.size() == 1 ? parts.get(0) : new Junction(false, parts);
    }

    private RowPredicate and() {
        List<RowPredicate> parts = new ArrayList<>();
        parts.add(unary());
        while (peek().type == Type.AND) {
            next();
            parts.add(unary());
        }
        return parts.size() == 1 ? parts.get(0) : new Junction(true, parts);
    }

    private RowPredicate unary() {
        Token t = peek();
        if (t.type == Type.NOT) {
            next();
            enter(t);
            RowPredicate p = unary().negate();
            depth--;
            return p;
        }
        return primary();
    }

    private RowPredicate primary() {
        Token t = next();
        switch (t.type) {
            case LPAREN: {
                enter(t);
                RowPredicate p = or();
                Token close = next();
                if (close.type != Type.RPAREN)
                    throw error(close, "expected ')' to close the '(' at index " + t.pos + ", found " + close.describe());
                depth--;
                return p;
            }
            case TRUE:
            case FALSE:
            case INTEGER:
            case FLOAT:
            case STRING:
                if (peek().type == Type.OP)
                    return reversedComparison(t);
                if (t.type == Type.TRUE || t.type == Type.FALSE)
                    return t.type == Type.TRUE ? ConstantPredicate.TRUE : ConstantPredicate.FALSE;
                throw error(peek(), "expected a comparison operator after " + t.describe() + ", found " + peek().describe());
            case IDENT:
                return fieldTest(t);
            default:
                throw error(t, "expected a field, a literal, 'not' or '(', found " + t.describe());
        }
    }

    /** {@code literal op field}. */
    private RowPredicate reversedComparison(Token literal) {
        Token opTok = next();
        Token field = next();
        if (field.type != Type.IDENT)
            throw error(field, "expected a field name after " + literal.describe() + " " + opTok.text + ", found " + field.describe());
        return compare(field, column(field), CompareOp.ofSymbol(opTok.text).swapped(), literal);
    }

    private RowPredicate fieldTest(Token field) {
        int col = column(field);
        Token t = peek();
        switch (t.type) {
            case OP: {
                next();
                Token lit = next();
                if (!isLiteral(lit))
                    throw error(lit, "expected a literal after '" + t.text + "', found " + lit.describe());
                return compare(field, col, CompareOp.ofSymbol(t.text), lit);
            }
            case IN:
                next();
                return in(field, col, false);
            case NOT: {
                next();
                Token in = next();
                if (in.type != Type.IN)
                    throw error(in, "expected 'in' after '" + field.text + " not', found " + in.describe());
                return in(field, col, true);
            }
            case IS: {
                next();
                boolean not = false;
                if (peek().type == Type.NOT) {
                    next();
                    not = true;
                }
                Token nul = next();
                if (nul.type != Type.NULL)
                    throw error(nul, "expected 'null' after 'is" + (not ? " not" : "") + "', found " + nul.describe());
                return new NullPredicate(col, field.text, !not);
            }
            default: {
                ScalarType type = schema.get(col).type();
                if (type != ScalarType.BOOLEAN) {
                    throw error(t, "field '" + field.text + "' is " + type + ": expected a comparison, 'in' or 'is' after it, found "
                        + t.describe());
                }
                return new BooleanIn(col, field.text, true, false, false);
            }
        }
    }

    private static boolean isLiteral(Token t) {
        return t.type == Type.INTEGER || t.type == Type.FLOAT || t.type == Type.STRING || t.type == Type.TRUE || t.type == Type.FALSE;
    }

    private int column(Token field) {
        Integer col = columns.get(field.text);
        if (col == null) {
            String known = schema.isEmpty() ? "none, the collection has no scalar fields"
                : schema.stream().map(f -> f.name() + " (" + f.type() + ")").collect(Collectors.joining(", "));
            throw new InvalidRequestException("unknown field '" + field.text + "' at index " + field.pos + " in filter \"" + src
                + "\"; known fields: " + known);
        }
        return col;
    }

    private InvalidRequestException mismatch(Token field, Token literal) {
        ScalarType type = schema.get(columns.get(field.text)).type();
        return new InvalidRequestException("field '" + field.text + "' is " + type + " and cannot be compared with "
            + literalKind(literal) + " " + literal.text + " (at index " + literal.pos + " in filter \"" + src + "\")");
    }

    private static String literalKind(Token t) {
        switch (t.type) {
            case INTEGER:
                return "integer";
            case FLOAT:
                return "number";
            case STRING:
                return "string";
            default:
                return "boolean";
        }
    }

    private RowPredicate compare(Token field, int col, CompareOp op, Token lit) {
        ScalarType type = schema.get(col).type();
        String name = field.text;
        switch (type) {
            case LONG:
                if (lit.type == Type.INTEGER)
                    return new LongCompare(col, name, op, lit.longValue, false);
                if (lit.type == Type.FLOAT) {
                    double d = lit.doubleValue;
                    if (d == Math.rint(d) && d >= -0x1p63 && d < 0x1p63)
                        return new LongCompare(col, name, op, (long)d, false);
                    return new LongDoubleCompare(col, name, op, d, false);
                }
                throw mismatch(field, lit);
            case DOUBLE:
                if (lit.type == Type.INTEGER || lit.type == Type.FLOAT)
                    return new DoubleCompare(col, name, op, lit.doubleValue, false);
                throw mismatch(field, lit);
            case BOOLEAN: {
                if (lit.type != Type.TRUE && lit.type != Type.FALSE)
                    throw mismatch(field, lit);
                if (!op.isEquality()) {
                    throw new InvalidRequestException("operator '" + op.symbol() + "' does not apply to BOOLEAN field '" + name
                        + "' (compared with boolean " + lit.text + " at index " + lit.pos + " in filter \"" + src + "\"); use == or !=");
                }
                boolean v = lit.type == Type.TRUE;
                boolean eq = op == CompareOp.EQ;
                return new BooleanIn(col, name, eq == v, eq != v, false);
            }
            default:
                if (lit.type != Type.STRING)
                    throw mismatch(field, lit);
                return new StringCompare(col, name, op, lit.stringValue, false);
        }
    }

    private RowPredicate in(Token field, int col, boolean negated) {
        Token open = next();
        if (open.type != Type.LBRACKET)
            throw error(open, "expected '[' after 'in', found " + open.describe());
        List<Token> lits = new ArrayList<>();
        if (peek().type != Type.RBRACKET) {
            while (true) {
                Token lit = next();
                if (!isLiteral(lit))
                    throw error(lit, "expected a literal in the list, found " + lit.describe());
                lits.add(lit);
                Token sep = next();
                if (sep.type == Type.RBRACKET)
                    break;
                if (sep.type != Type.COMMA)
                    throw error(sep, "expected ',' or ']' in the list opened at index " + open.pos + ", found " + sep.describe());
            }
        }
        else
            next();
        ScalarType type = schema.get(col).type();
        String name = field.text;
        switch (type) {
            case LONG: {
                long[] vals = new long[lits.size()];
                int n = 0;
                for (Token lit : lits) {
                    if (lit.type == Type.INTEGER)
                        vals[n++] = lit.longValue;
                    else if (lit.type == Type.FLOAT) {
                        double d = lit.doubleValue; // a fraction can never equal a long: drop it
                        if (d == Math.rint(d) && d >= -0x1p63 && d < 0x1p63)
                            vals[n++] = (long)d;
                    }
                    else
                        throw mismatch(field, lit);
                }
                return new LongIn(col, name, java.util.Arrays.copyOf(vals, n), negated);
            }
            case DOUBLE: {
                double[] vals = new double[lits.size()];
                for (int i = 0; i < vals.length; i++) {
                    Token lit = lits.get(i);
                    if (lit.type != Type.INTEGER && lit.type != Type.FLOAT)
                        throw mismatch(field, lit);
                    vals[i] = lit.doubleValue;
                }
                return new DoubleIn(col, name, vals, negated);
            }
            case BOOLEAN: {
                boolean t = false, f = false;
                for (Token lit : lits) {
                    if (lit.type == Type.TRUE)
                        t = true;
                    else if (lit.type == Type.FALSE)
                        f = true;
                    else
                        throw mismatch(field, lit);
                }
                return new BooleanIn(col, name, t, f, negated);
            }
            default: {
                List<String> vals = new ArrayList<>();
                for (Token lit : lits) {
                    if (lit.type != Type.STRING)
                        throw mismatch(field, lit);
                    vals.add(lit.stringValue);
                }
                return new StringIn(col, name, vals, negated);
            }
        }
    }
}
