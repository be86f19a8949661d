package io.vecgrid.dataset;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The IDX and GloVe JSON readers on small hand-made files: layout, escapes and errors. */
class FormatReadersTest {
    @TempDir
    Path tmp;

    private static byte[] idx(int count, int rows, int cols, int bytes) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        DataOutputStream o = new DataOutputStream(bo);
        o.writeInt(IdxReader.MAGIC_UBYTE_3D);
        o.writeInt(count);
        o.writeInt(rows);
        o.writeInt(cols);
        for (int i = 0; i < bytes; i++)
            o.writeByte(i * 37);
        return bo.toByteArray();
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(bo)) {
            o.write(b);
        }
        return bo.toByteArray();
    }

    @Test
    void idxPlainAndGzip() throws IOException {
        byte[] raw = idx(3, 2, 2, 12);
        Path plain = tmp.resolve("img-idx3-ubyte");
        Path gz = tmp.resolve("img-idx3-ubyte.gz");
        Files.write(plain, raw);
        Files.write(gz, gzip(raw));
        for (Path p : new Path[] {plain, gz}) {
            IdxReader.Images im = IdxReader.readImages(p, -1);
            assertEquals(3, im.count());
            assertEquals(4, im.dim());
            float[] want = new float[12];
            for (int i = 0; i < 12; i++)
                want[i] = (i * 37) & 0xff; // unsigned: 0..255
            assertArrayEquals(want, im.data());
        }
        assertEquals(2, IdxReader.readImages(gz, 2).count());
    }

    @Test
    void idxErrors() throws IOException {
        Path trunc = tmp.resolve("t.gz");
        Files.write(trunc, gzip(idx(3, 2, 2, 10)));
        VecsFormatException e = assertThrows(VecsFormatException.class, () -> IdxReader.readImages(trunc, -1));
        assertTrue(e.getMessage().contains("image #2") && e.getMessage().contains(trunc.toString()), e.getMessage());

        byte[] bad = idx(1, 1, 1, 1);
        bad[3] = 0x01; // idx1 (labels) magic
        Path labels = tmp.resolve("labels");
        Files.write(labels, bad);
        VecsFormatException m = assertThrows(VecsFormatException.class, () -> IdxReader.readImages(labels, -1));
        assertTrue(m.getMessage().contains("magic"), m.getMessage());
    }

    private static final String GLOVE = "{\"precision\":8,\"l2NormIndex\":3,\"wordIndex\":4,\"size\":3,\"dimensions\":3,"
        + "\"words\":[\"the\",\"caf\\u00e9\",\"\\\"q\\\"\"],\n"
        + "\"vectors\":{\"caf\\u00e9\":[0,3,4,5,1],\"the\":[1.5,-2,0.25,2.5124689,0],"
        + "\"\\\"q\\\"\":[ 1e-2 , 0, 0 ,0.01, 2 ]},\"unkVector\":[0,0,0,0,-1]}";

    @Test
    void gloveJsonLayout() throws IOException {
        GloveJson.Embeddings e = GloveJson.read(new StringReader(GLOVE), "test.json");
        assertEquals(3, e.dim());
        assertEquals(3, e.size());
        assertArrayEquals(new String[] {"the", "caf\u00e9", "\"q\""}, e.words());
        assertArrayEquals(new float[] {1.5f, -2f, 0.25f, 0, 3, 4, 0.01f, 0, 0}, e.vectors());
        Path gz = tmp.resolve("g.json.gz");
        Files.write(gz, gzip(GLOVE.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertArrayEquals(e.vectors(), GloveJson.read(gz).vectors());
    }

    @Test
    void gloveJsonErrors() {
        assertGloveError(GLOVE.replace("[0,3,4,5,1]", "[0,3,4,5,0]"), "claims word index 0 but 'words' has 'the'");
        String noWords = GLOVE.replaceAll("\"words\":\\[[^\\]]*\\],", "");
        assertEquals(3, assertDoesNotThrow(() -> GloveJson.read(new StringReader(noWords), "w.json")).size());
        assertGloveError(noWords.replace("[0,3,4,5,1]", "[0,3,4,5,0]"), "appears twice");
        assertGloveError(GLOVE.replace("[0,3,4,5,1]", "[0,3,4,6,1]"), "L2 norm");
        assertGloveError(GLOVE.replace("[0,3,4,5,1]", "[0,3,4,5]"), "expected 5");
        assertGloveError(GLOVE.replace("\"size\":3", "\"size\":4"), "only 3 vectors");
        assertGloveError(GLOVE.replace("[0,3,4,5,1]", "[0,3,4,5,true]"), "expected a number");
        assertGloveError(GLOVE.substring(0, 200), "");
        assertGloveError("{\"vectors\":{}}", "must precede");
    }

    private static void assertGloveError(String json, String part) {
        VecsFormatException e = assertThrows(VecsFormatException.class,
            () -> GloveJson.read(new StringReader(json), "bad.json"));
        assertTrue(e.getMessage().contains(part) && e.getMessage().startsWith("bad.json"), e.getMessage());
    }
}
