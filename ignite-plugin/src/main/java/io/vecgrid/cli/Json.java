package io.vecgrid.cli;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little JSON the CLI needs: writing its {@code --json} documents and reading JSON-lines import files.
 *
 * <p>Hand-written on purpose: nothing on the node classpath offers a public JSON API (Ignite uses none in its public
 * API, snakeyaml reads YAML 1.1, which takes {@code 1e5} for a string), {@code io.vecgrid.dataset}'s tokenizer is a
 * package-private streaming reader, and writing maps, lists and scalars plus reading one small value per line is a
 * hundred and fifty lines. Values: {@link Map} (objects, insertion order kept), {@link List}, {@link String},
 * {@link Long} (integers that fit), {@link Double}, {@link Boolean}, {@code null}.
 *
 * <p>Stateless; thread-safe.
 */
final class Json {
    private Json() {
    }

    /** @return {@code v} as indented JSON; maps and lists nest, other values are written as strings. */
    static String write(Object v) {
        StringBuilder sb = new StringBuilder();
        write(sb, v, 0);
        return sb.toString();
    }

    private static void write(StringBuilder sb, Object v, int depth) {
        if (v == null)
            sb.append("null");
        else if (v instanceof Boolean || v instanceof Long || v instanceof Integer || v instanceof Short)
            sb.append(v);
        else if (v instanceof Number) {
            double d = ((Number)v).doubleValue();
            sb.append(Double.isFinite(d) ? v.toString() : "null");
        }
        else if (v instanceof Map) {
            Map<?, ?> m = (Map<?, ?>)v;
            if (m.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append('{');
            Iterator<? extends Map.Entry<?, ?>> it = m.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                newline(sb, depth + 1);
                string(sb, String.valueOf(e.getKey()));
                sb.append(": ");
                write(sb, e.getValue(), depth + 1);
                if (it.hasNext())
                    sb.append(',');
            }
            newline(sb, depth);
            sb.append('}');
        }
        else if (v instanceof Collection) {
            Collection<?> c = (Collection<?>)v;
            if (c.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append('[');
            Iterator<?> it = c.iterator();
            while (it.hasNext()) {
                newline(sb, depth + 1);
                write(sb, it.next(), depth + 1);
                if (it.hasNext())
                    sb.append(',');
            }
            newline(sb, depth);
            sb.append(']');
        }
        else
            string(sb, v.toString());
    }

    private static void newline(StringBuilder sb, int depth) {
        sb.append('\n');
        for (int i = 0; i < depth; i++)
            sb.append("  ");
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default:
                    if (c < 0x20)
                        sb.append(String.format("\\u%04x", (int)c));
                    else
                        sb.append(c);
            }
        }
        sb.append('"');
    }

    /**
     * Parses one JSON value that must fill {@code text} (surrounding white space allowed).
     *
     * @throws IllegalArgumentException naming what was expected and the character position (1-based).
     */
    static Object parse(String text) {
        Parser p = new Parser(text);
        Object v = p.value();
        p.skipSpace();
        if (p.pos < text.length())
            throw p.error("unexpected '" + text.charAt(p.pos) + "' after the value");
        return v;
    }

    /** Recursive-descent parser over one string. */
    private static final class Parser {
        private final String s;
        private int pos;

        Parser(String s) {
            this.s = s;
        }

        IllegalArgumentException error(String msg) {
            return new IllegalArgumentException("invalid JSON at character " + (pos + 1) + ": " + msg);
        }

        void skipSpace() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos)))
                pos++;
        }

        Object value() {
            skipSpace();
            if (pos >= s.length())
                throw error("unexpected end of input");
            char c = s.charAt(pos);
            switch (c) {
                case '{': return object();
                case '[': return array();
                case '"': return string();
                case 't': literal("true"); return Boolean.TRUE;
                case 'f': literal("false"); return Boolean.FALSE;
                case 'n': literal("null"); return null;
                default:
                    if (c == '-' || (c >= '0' && c <= '9'))
                        return number();
                    throw error("unexpected '" + c + "'");
            }
        }

        private Map<String, Object> object() {
            Map<String, Object> m = new LinkedHashMap<>();
            pos++;
            skipSpace();
            if (peek() == '}') {
                pos++;
                return m;
            }
            while (true) {
                skipSpace();
                if (peek() != '"')
                    throw error("expected a field name in double quotes");
                String key = string();
                skipSpace();
                expect(':');
                if (m.containsKey(key))
                    throw error("field '" + key + "' appears twice");
                m.put(key, value());
                skipSpace();
                if (peek() == ',') {
                    pos++;
                    continue;
                }
                expect('}');
                return m;
            }
        }

        private List<Object> array() {
            List<Object> l = new ArrayList<>();
            pos++;
            skipSpace();
            if (peek() == ']') {
                pos++;
                return l;
            }
            while (true) {
                l.add(value());
                skipSpace();
                if (peek() == ',') {
                    pos++;
                    continue;
                }
                expect(']');
                return l;
            }
        }

        private int peek() {
            return pos < s.length() ? s.charAt(pos) : -1;
        }

        private void expect(char c) {
            if (peek() != c)
                throw error("expected '" + c + "'" + (pos < s.length() ? ", got '" + s.charAt(pos) + "'" : " at the end"));
            pos++;
        }

        private void literal(String word) {
            if (!s.startsWith(word, pos))
                throw error("expected " + word);
            pos += word.length();
        }

        private Object number() {
            int start = pos;
            boolean integral = true;
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == '.' || c == 'e' || c == 'E')
                    integral = false;
                else if (!(c == '-' || c == '+' || (c >= '0' && c <= '9')))
                    break;
                pos++;
            }
            String num = s.substring(start, pos);
            try {
                if (integral) {
                    try {
                        return Long.parseLong(num);
                    }
                    catch (NumberFormatException tooBig) {
                        return Double.parseDouble(num);
                    }
                }
                return Double.parseDouble(num);
            }
            catch (NumberFormatException e) {
                pos = start;
                throw error("bad number '" + num + "'");
            }
        }

        private String string() {
            StringBuilder sb = new StringBuilder();
            pos++;
            while (true) {
                if (pos >= s.length())
                    throw error("unterminated string");
                char c = s.charAt(pos++);
                if (c == '"')
                    return sb.toString();
                if (c != '\\') {
                    sb.append(c);
                    continue;
                }
                if (pos >= s.length())
                    throw error("unterminated string");
                char e = s.charAt(pos++);
                switch (e) {
                    case '"': sb.append('"'); break;
                    case '\\': sb.append('\\'); break;
                    case '/': sb.append('/'); break;
                    case 'b': sb.append('\b'); break;
                    case 'f': sb.append('\f'); break;
                    case 'n': sb.append('\n'); break;
                    case 'r': sb.append('\r'); break;
                    case 't': sb.append('\t'); break;
                    case 'u':
                        if (pos + 4 > s.length())
                            throw error("bad \\u escape");
                        try {
                            sb.append((char)Integer.parseInt(s.substring(pos, pos + 4), 16));
                        }
                        catch (NumberFormatException ex) {
                            throw error("bad \\u escape");
                        }
                        pos += 4;
                        break;
                    default:
                        throw error("bad escape \\" + e);
                }
            }
        }
    }
}
