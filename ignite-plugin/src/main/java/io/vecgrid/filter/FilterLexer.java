package io.vecgrid.filter;

import io.vecgrid.api.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits a filter expression into tokens. Keywords ({@code and or not in is null true false}) are case-insensitive;
 * field names are case-sensitive. Numbers may carry a sign (the language has no arithmetic, so {@code -} only ever
 * starts a number). Strings take single or double quotes and the escapes {@code \\ \' \" \n \t \r \b \f \0 \}{@code uXXXX}.
 * Single use; not thread-safe.
 */
final class FilterLexer {
    enum Type {
        IDENT, STRING, INTEGER, FLOAT, TRUE, FALSE, AND, OR, NOT, IN, IS, NULL, OP, LPAREN, RPAREN, LBRACKET, RBRACKET, COMMA, EOF
    }

    /** One token: its type, the source text, its value for literals, and its index in the expression. */
    static final class Token {
        final Type type;
        final String text;
        final int pos;
        final long longValue;
        final double doubleValue;
        final String stringValue;

        Token(Type type, String text, int pos, long longValue, double doubleValue, String stringValue) {
            this.type = type;
            this.text = text;
            this.pos = pos;
            this.longValue = longValue;
            this.doubleValue = doubleValue;
            this.stringValue = stringValue;
        }

        /** @return how an error message names this token. */
        String describe() {
            switch (type) {
                case EOF:
                    return "the end of the expression";
                case STRING:
                    return "string " + text;
                case INTEGER:
                case FLOAT:
                    return "number " + text;
                default:
                    return "'" + text + "'";
            }
        }

        @Override public String toString() {
            return type + "(" + text + ")@" + pos;
        }
    }

    private final String src;
    private final List<Token> tokens = new ArrayList<>();
    private int i;

    private FilterLexer(String src) {
        this.src = src;
    }

    static List<Token> tokenize(String src) {
        FilterLexer lx = new FilterLexer(src);
        lx.run();
        return lx.tokens;
    }

    /** @return a syntax error naming the index and quoting the expression. */
    static InvalidRequestException syntaxError(String src, int pos, String detail) {
        return new InvalidRequestException("filter syntax error at index " + pos + ": " + detail + " in filter \"" + src + "\"");
    }

    /** @return {@code s} as a single-quoted filter literal. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("'");
        for (int j = 0; j < s.length(); j++) {
            char c = s.charAt(j);
            switch (c) {
                case '\'':
                    sb.append("\\'");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                default:
                    sb.append(c);
            }
        }
        return sb.append('\'').toString();
    }

    private void add(Type t, int start) {
        tokens.add(new Token(t, src.substring(start, i), start, 0, 0, null));
    }

    private void run() {
        int n = src.length();
        while (true) {
            while (i < n && Character.isWhitespace(src.charAt(i)))
                i++;
            if (i >= n) {
                tokens.add(new Token(Type.EOF, "", n, 0, 0, null));
                return;
            }
            int start = i;
            char c = src.charAt(i);
            char next = i + 1 < n ? src.charAt(i + 1) : 0;
            switch (c) {
                case '(':
                    i++;
                    add(Type.LPAREN, start);
                    continue;
                case ')':
                    i++;
                    add(Type.RPAREN, start);
                    continue;
                case '[':
                    i++;
                    add(Type.LBRACKET, start);
                    continue;
                case ']':
                    i++;
                    add(Type.RBRACKET, start);
                    continue;
                case ',':
                    i++;
                    add(Type.COMMA, start);
                    continue;
                case '=':
                    if (next != '=')
                        throw syntaxError(src, start, "'=' is not an operator, use '==' to compare");
                    i += 2;
                    add(Type.OP, start);
                    continue;
                case '!':
                    i += next == '=' ? 2 : 1;
                    add(next == '=' ? Type.OP : Type.NOT, start);
                    continue;
                case '<':
                case '>':
                    i += next == '=' ? 2 : 1;
                    add(Type.OP, start);
                    continue;
                case '&':
                    if (next != '&')
                        throw syntaxError(src, start, "'&' is not an operator, use '&&' or 'and'");
                    i += 2;
                    add(Type.AND, start);
                    continue;
                case '|':
                    if (next != '|')
                        throw syntaxError(src, start, "'|' is not an operator, use '||' or 'or'");
                    i += 2;
                    add(Type.OR, start);
                    continue;
                case '\'':
                case '"':
                    string(c);
                    continue;
                default:
            }
            if (isDigit(c) || ((c == '-' || c == '+' || c == '.') && (isDigit(next) || (next == '.' && c != '.' && i + 2 < n && isDigit(src.charAt(i + 2))))))
                number();
            else if (Character.isLetter(c) || c == '_')
                word();
            else
                throw syntaxError(src, start, "unexpected character '" + c + "'");
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void number() {
        int start = i;
        int n = src.length();
        if (src.charAt(i) == '-' || src.charAt(i) == '+')
            i++;
        boolean fractional = false;
        while (i < n && isDigit(src.charAt(i)))
            i++;
        if (i < n && src.charAt(i) == '.') {
            fractional = true;
            i++;
            while (i < n && isDigit(src.charAt(i)))
                i++;
        }
        if (i < n && (src.charAt(i) == 'e' || src.charAt(i) == 'E')) {
            int e = i++;
            if (i < n && (src.charAt(i) == '+' || src.charAt(i) == '-'))
                i++;
            if (i >= n || !isDigit(src.charAt(i)))
                throw syntaxError(src, e, "exponent without digits in number '" + src.substring(start, i) + "'");
            while (i < n && isDigit(src.charAt(i)))
                i++;
            fractional = true;
        }
        if (i < n && (Character.isLetterOrDigit(src.charAt(i)) || src.charAt(i) == '_' || src.charAt(i) == '.'))
            throw syntaxError(src, i, "unexpected character '" + src.charAt(i) + "' after number '" + src.substring(start, i) + "'");
        String text = src.substring(start, i);
        if (fractional) {
            double d = Double.parseDouble(text);
            if (Double.isInfinite(d))
                throw syntaxError(src, start, "number " + text + " is out of the double range");
            tokens.add(new Token(Type.FLOAT, text, start, 0, d, null));
        }
        else {
            long v;
            try {
                v = Long.parseLong(text.startsWith("+") ? text.substring(1) : text);
            }
            catch (NumberFormatException e) {
                throw syntaxError(src, start, "integer " + text + " is out of the 64-bit range");
            }
            tokens.add(new Token(Type.INTEGER, text, start, v, v, null));
        }
    }

    private void word() {
        int start = i;
        int n = src.length();
        while (i < n && (Character.isLetterOrDigit(src.charAt(i)) || src.charAt(i) == '_'))
            i++;
        String w = src.substring(start, i);
        Type t;
        switch (w.toLowerCase(Locale.ROOT)) {
            case "and":
                t = Type.AND;
                break;
            case "or":
                t = Type.OR;
                break;
            case "not":
                t = Type.NOT;
                break;
            case "in":
                t = Type.IN;
                break;
            case "is":
                t = Type.IS;
                break;
            case "null":
                t = Type.NULL;
                break;
            case "true":
                t = Type.TRUE;
                break;
            case "false":
                t = Type.FALSE;
                break;
            default:
                t = Type.IDENT;
        }
        tokens.add(new Token(t, w, start, 0, 0, null));
    }

    private void string(char quote) {
        int start = i++;
        int n = src.length();
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (i >= n)
                throw syntaxError(src, start, "string starting here is not closed with " + quote);
            char c = src.charAt(i++);
            if (c == quote)
                break;
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (i >= n)
                throw syntaxError(src, start, "string starting here is not closed with " + quote);
            int esc = i - 1;
            char e = src.charAt(i++);
            switch (e) {
                case '\\':
                case '\'':
                case '"':
                    sb.append(e);
                    break;
                case 'n':
                    sb.append('\n');
                    break;
                case 't':
                    sb.append('\t');
                    break;
                case 'r':
                    sb.append('\r');
                    break;
                case 'b':
                    sb.append('\b');
                    break;
                case 'f':
                    sb.append('\f');
                    break;
                case '0':
                    sb.append('\0');
                    break;
                case 'u': {
                    if (i + 4 > n)
                        throw syntaxError(src, esc, "\\u needs four hex digits");
                    int cp = 0;
                    for (int k = 0; k < 4; k++) {
                        int h = Character.digit(src.charAt(i + k), 16);
                        if (h < 0)
                            throw syntaxError(src, esc, "\\u needs four hex digits, got '" + src.substring(i, i + 4) + "'");
                        cp = cp * 16 + h;
                    }
                    i += 4;
                    sb.append((char)cp);
                    break;
                }
                default:
                    throw syntaxError(src, esc, "unknown escape '\\" + e + "' in string");
            }
        }
        tokens.add(new Token(Type.STRING, src.substring(start, i), start, 0, 0, sb.toString()));
    }
}
