package io.vecgrid.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.Map;

/**
 * The CLI's JSON, over Jackson: the {@code --json} documents it prints, the JSON lines {@code get} prints, and the
 * JSON-lines files {@code import} and {@code search} read. Values are plain {@link Map}s (objects, insertion order
 * kept), {@link List}s, {@link String}s, numbers, {@link Boolean}s and {@code null}; integers parse as {@link Long}
 * (as {@link java.math.BigInteger} beyond it), decimals as {@link Double}. Stateless; thread-safe.
 */
final class Json {
    /** Strict: a repeated field name or anything after the value is an error. */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
        .enable(DeserializationFeature.USE_LONG_FOR_INTS)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .build();

    /** Two-space indent, {@code "name": value}, one field or element per line, {@code []} and {@code {}} when empty. */
    private static final ObjectWriter PRETTY;

    /** One line, for JSON lines. */
    private static final ObjectWriter LINE = MAPPER.writer();

    static {
        DefaultIndenter indent = new DefaultIndenter("  ", "\n");
        DefaultPrettyPrinter pp = new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                .withObjectEmptySeparator("")
                .withArrayEmptySeparator(""));
        pp.indentArraysWith(indent);
        pp.indentObjectsWith(indent);
        PRETTY = MAPPER.writer(pp);
    }

    private Json() {
    }

    /** @return {@code v} as indented JSON (several lines, no trailing newline). */
    static String write(Object v) {
        return write(PRETTY, v);
    }

    /** @return {@code v} as JSON on one line (no newline). */
    static String line(Object v) {
        return write(LINE, v);
    }

    private static String write(ObjectWriter w, Object v) {
        try {
            return w.writeValueAsString(v);
        }
        catch (JsonProcessingException e) {
            // Only maps, lists, arrays, strings, numbers and booleans are written: this is a bug.
            throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Parses one JSON value that must fill {@code text} (surrounding white space allowed).
     *
     * @throws IllegalArgumentException {@code "invalid JSON at character N: ..."} (N from 1) with Jackson's reason.
     */
    static Object parse(String text) {
        try {
            return MAPPER.readValue(text, Object.class);
        }
        catch (JsonProcessingException e) {
            long at = e.getLocation() == null ? -1 : e.getLocation().getCharOffset();
            throw new IllegalArgumentException("invalid JSON" + (at < 0 ? "" : " at character " + (at + 1)) + ": " +
                e.getOriginalMessage(), e);
        }
    }
}
