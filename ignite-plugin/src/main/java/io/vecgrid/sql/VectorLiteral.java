package io.vecgrid.sql;

import io.vecgrid.api.InvalidRequestException;

import java.util.Arrays;

/**
 * Vectors as SQL sees them: the text {@code '[0.1, -2, 3.5e-3]'}. Parsing is strict (brackets, comma-separated
 * decimal numbers, optional whitespace; no NaN, no infinity, no empty vector) and every error names the literal, the
 * position and what was expected. Formatting gives the shortest text that parses back to the same floats.
 *
 * <p>Stateless and thread-safe; {@link #parseCached} keeps the last literal parsed by the calling thread, because a
 * distance function sees the same literal once per row.
 */
public final class VectorLiteral {
    /** Longest literal echoed whole in an error message. */
    private static final int ECHO_CHARS = 60;

    /**
     * The last two literals parsed by this thread and their floats: a distance function sees the same query literal
     * on every row, next to a row's own vector text.
     */
    private static final ThreadLocal<Object[]> LAST = ThreadLocal.withInitial(() -> new Object[4]);

    private VectorLiteral() {
    }

    /**
     * @param text a vector literal, e.g. {@code '[1, 2.5, -3e-2]'}.
     * @return its components.
     * @throws InvalidRequestException if the text is not a vector literal.
     */
    public static float[] parse(String text) {
        if (text == null)
            throw new InvalidRequestException("vector literal must not be NULL; expected '[x1, x2, ...]'");
        int n = text.length();
        int i = skipSpace(text, 0);
        if (i >= n || text.charAt(i) != '[')
            throw error(text, i, "expected '[' to open the vector");
        i = skipSpace(text, i + 1);
        if (i < n && text.charAt(i) == ']')
            throw new InvalidRequestException("malformed vector literal " + echo(text) + ": the vector is empty; " +
                "expected at least one component, as in '[x1, x2, ...]'");
        float[] buf = new float[16];
        int dim = 0;
        while (true) {
            int start = i;
            int end = scanNumber(text, i);
            if (end == start) {
                String nonFinite = nonFinite(text, i);
                if (nonFinite != null) {
                    throw error(text, i, "component '" + nonFinite + "' is not a finite number; every component must " +
                        "be a finite number");
                }
                throw error(text, i, i >= n ? "the vector is not closed with ']'" : "expected a number");
            }
            float v = parseNumber(text, start, end);
            if (dim == buf.length)
                buf = Arrays.copyOf(buf, dim * 2);
            buf[dim++] = v;
            i = skipSpace(text, end);
            if (i >= n)
                throw error(text, i, "the vector is not closed with ']'");
            char c = text.charAt(i);
            if (c == ']') {
                i = skipSpace(text, i + 1);
                if (i < n)
                    throw error(text, i, "unexpected text after ']'");
                return dim == buf.length ? buf : Arrays.copyOf(buf, dim);
            }
            if (c != ',')
                throw error(text, i, "expected ',' or ']' after component " + dim);
            i = skipSpace(text, i + 1);
        }
    }

    /**
     * {@link #parse}, reusing the result when this thread parsed the same literal recently. The array is shared: do
     * not modify it.
     */
    public static float[] parseCached(String text) {
        Object[] last = LAST.get();
        if (same(text, last[0]))
            return (float[])last[1];
        float[] v = same(text, last[2]) ? (float[])last[3] : parse(text);
        // Two slots, least recently used replaced: a query literal survives a stream of per-row literals.
        last[2] = last[0];
        last[3] = last[1];
        last[0] = text;
        last[1] = v;
        return v;
    }

    private static boolean same(String text, Object cached) {
        return cached == text || (text != null && text.equals(cached));
    }

    /** @return the literal of a vector, e.g. {@code [1.0, 2.5, -0.03]}; {@code null} for {@code null}. */
    public static String format(float[] v) {
        if (v == null)
            return null;
        StringBuilder sb = new StringBuilder(v.length * 8 + 2).append('[');
        for (int i = 0; i < v.length; i++) {
            if (i > 0)
                sb.append(", ");
            sb.append(v[i]);
        }
        return sb.append(']').toString();
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i)))
            i++;
        return i;
    }

    /** @return end of the decimal number starting at {@code i} ({@code i} itself if there is none). */
    private static int scanNumber(String s, int i) {
        int n = s.length();
        int j = i;
        if (j < n && (s.charAt(j) == '+' || s.charAt(j) == '-'))
            j++;
        int digits = 0;
        while (j < n && isDigit(s.charAt(j))) {
            j++;
            digits++;
        }
        if (j < n && s.charAt(j) == '.') {
            j++;
            while (j < n && isDigit(s.charAt(j))) {
                j++;
                digits++;
            }
        }
        if (digits == 0)
            return i;
        if (j < n && (s.charAt(j) == 'e' || s.charAt(j) == 'E')) {
            int k = j + 1;
            if (k < n && (s.charAt(k) == '+' || s.charAt(k) == '-'))
                k++;
            int expDigits = 0;
            while (k < n && isDigit(s.charAt(k))) {
                k++;
                expDigits++;
            }
            if (expDigits > 0)
                j = k;
        }
        return j;
    }

    /** @return the NaN or infinity token at {@code i} ({@code NaN}, {@code Infinity}, {@code -Inf}, ...), or {@code null}. */
    private static String nonFinite(String s, int i) {
        java.util.regex.Matcher m = NON_FINITE.matcher(s).region(i, s.length());
        return m.lookingAt() ? m.group() : null;
    }

    private static final java.util.regex.Pattern NON_FINITE =
        java.util.regex.Pattern.compile("[+-]?(?:NaN|Inf(?:inity)?)", java.util.regex.Pattern.CASE_INSENSITIVE);

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static float parseNumber(String text, int start, int end) {
        float v = Float.parseFloat(text.substring(start, end));
        if (!Float.isFinite(v)) {
            throw error(text, start, "component '" + text.substring(start, end) + "' is out of the float range " +
                "(magnitude at most " + Float.MAX_VALUE + ")");
        }
        return v;
    }

    private static InvalidRequestException error(String text, int pos, String what) {
        return new InvalidRequestException("malformed vector literal " + echo(text) + " at position " + (pos + 1) +
            ": " + what + "; expected '[x1, x2, ...]' with decimal numbers");
    }

    private static String echo(String text) {
        return text.length() <= ECHO_CHARS ? "'" + text + "'" :
            "'" + text.substring(0, ECHO_CHARS) + "...' (" + text.length() + " characters)";
    }
}
