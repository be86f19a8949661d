package io.vecgrid.dataset;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;

/**
 * A minimal streaming JSON tokenizer (RFC 8259 tokens, one at a time, constant memory apart from the current token).
 *
 * <p>Hand-written on purpose: the plugin module has no JSON library on its classpath (and this package must not lean on
 * Ignite's internals), the GloVe file is ~300 MB so it cannot be read into one String or a tree, and the little this
 * needs — pull tokens, read strings and numbers, skip values — is about a hundred lines. The JDK has no JSON parser.
 */
final class JsonTokenizer implements Closeable {
    /** Token kinds. */
    enum Token {
        BEGIN_OBJECT, END_OBJECT, BEGIN_ARRAY, END_ARRAY, COLON, COMMA, STRING, NUMBER, TRUE, FALSE, NULL, EOF
    }

    private final Reader in;

    private final String source;

    private final char[] buf = new char[1 << 16];

    private int pos;

    private int lim;

    /** Characters consumed before {@link #buf}'s start, for error positions. */
    private long base;

    private final StringBuilder text = new StringBuilder(64);

    /** One token of look-ahead pushed back by {@link #pushBack(Token)}. */
    private Token pushed;

    JsonTokenizer(Reader in, String source) {
        this.in = in;
        this.source = source;
    }

    /** @return character offset of the next unread character. */
    long offset() {
        return base + pos;
    }

    /** @return text of the last STRING (unescaped) or NUMBER token. */
    String text() {
        return text.toString();
    }

    /** @return the last NUMBER token as a float (correctly rounded). */
    float floatValue() throws IOException {
        try {
            return Float.parseFloat(text.toString());
        }
        catch (NumberFormatException e) {
            throw error("bad number '" + text + "'");
        }
    }

    /** @return the last NUMBER token as an int; fails if it is not an integer in range. */
    int intValue() throws IOException {
        double d = Double.parseDouble(text.toString());
        if (d != Math.rint(d) || d < Integer.MIN_VALUE || d > Integer.MAX_VALUE)
            throw error("expected an integer, got " + text);
        return (int)d;
    }

    /** Makes {@code t} the next token returned (one token at most). */
    void pushBack(Token t) {
        if (pushed != null)
            throw new IllegalStateException("one token of push-back only");
        pushed = t;
    }

    private int peekChar() throws IOException {
        if (pos == lim) {
            base += lim;
            pos = 0;
            lim = 0;
            int r = in.read(buf, 0, buf.length);
            if (r <= 0)
                return -1;
            lim = r;
        }
        return buf[pos];
    }

    private int readChar() throws IOException {
        int c = peekChar();
        if (c >= 0)
            pos++;
        return c;
    }

    /** @return the next token. */
    Token next() throws IOException {
        if (pushed != null) {
            Token t = pushed;
            pushed = null;
            return t;
        }
        int c;
        do {
            c = readChar();
        }
        while (c == ' ' || c == '\n' || c == '\r' || c == '\t');
        switch (c) {
            case -1: return Token.EOF;
            case '{': return Token.BEGIN_OBJECT;
            case '}': return Token.END_OBJECT;
            case '[': return Token.BEGIN_ARRAY;
            case ']': return Token.END_ARRAY;
            case ':': return Token.COLON;
            case ',': return Token.COMMA;
            case '"': readString(); return Token.STRING;
            case 't': literal("rue"); return Token.TRUE;
            case 'f': literal("alse"); return Token.FALSE;
            case 'n': literal("ull"); return Token.NULL;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    readNumber((char)c);
                    return Token.NUMBER;
                }
                throw error("unexpected character '" + (char)c + "'");
        }
    }

    /** Reads the next token and fails unless it is {@code want}. */
    void expect(Token want) throws IOException {
        Token t = next();
        if (t != want)
            throw error("expected " + want + ", got " + t);
    }

    private void literal(String rest) throws IOException {
        for (int i = 0; i < rest.length(); i++) {
            if (readChar() != rest.charAt(i))
                throw error("bad literal");
        }
    }

    private void readNumber(char first) throws IOException {
        text.setLength(0);
        text.append(first);
        while (true) {
            int c = peekChar();
            if ((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
                text.append((char)c);
                pos++;
            }
            else
                return;
        }
    }

    private void readString() throws IOException {
        text.setLength(0);
        while (true) {
            int c = readChar();
            if (c < 0)
                throw error("unterminated string");
            if (c == '"')
                return;
            if (c != '\\') {
                text.append((char)c);
                continue;
            }
            int e = readChar();
            switch (e) {
                case '"': text.append('"'); break;
                case '\\': text.append('\\'); break;
                case '/': text.append('/'); break;
                case 'b': text.append('\b'); break;
                case 'f': text.append('\f'); break;
                case 'n': text.append('\n'); break;
                case 'r': text.append('\r'); break;
                case 't': text.append('\t'); break;
                case 'u': {
                    int v = 0;
                    for (int i = 0; i < 4; i++) {
                        int h = Character.digit(readChar(), 16);
                        if (h < 0)
                            throw error("bad \\u escape");
                        v = v * 16 + h;
                    }
                    text.append((char)v);
                    break;
                }
                default:
                    throw error("bad escape \\" + (e < 0 ? "<eof>" : String.valueOf((char)e)));
            }
        }
    }

    /** Skips one whole value whose first token {@code first} was already read. */
    void skipValue(Token first) throws IOException {
        int depth = 0;
        Token t = first;
        while (true) {
            switch (t) {
                case BEGIN_OBJECT:
                case BEGIN_ARRAY:
                    depth++;
                    break;
                case END_OBJECT:
                case END_ARRAY:
                    depth--;
                    break;
                case EOF:
                    throw error("unexpected end of input inside a value");
                default:
                    break;
            }
            if (depth <= 0)
                return;
            t = next();
        }
    }

    /** @return a format error naming the source and the character offset. */
    VecsFormatException error(String msg) {
        return new VecsFormatException(java.nio.file.Path.of(source), "JSON " + msg + " at character " + offset());
    }

    @Override public void close() throws IOException {
        in.close();
    }
}
