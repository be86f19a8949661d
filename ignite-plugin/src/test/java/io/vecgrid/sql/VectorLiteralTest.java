package io.vecgrid.sql;

import io.vecgrid.api.InvalidRequestException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Vector literals: what parses, what is refused with which message, and that formatting round-trips. */
class VectorLiteralTest {
    @Test
    void parsesDecimalNumbersWithSpaces() {
        assertArrayEquals(new float[] {1f, -2.5f, 0.003f, 1e-3f, 4f, 0.5f},
            VectorLiteral.parse("  [1, -2.5,0.003 , 1E-3, +4., .5 ] "));
        assertArrayEquals(new float[] {7f}, VectorLiteral.parse("[7]"));
    }

    @Test
    void formatRoundTrips() {
        float[] v = {0.1f, -3.4028235e38f, 1.4e-45f, 0f, 123456.78f};
        String text = VectorLiteral.format(v);
        assertEquals("[0.1, -3.4028235E38, 1.4E-45, 0.0, 123456.78]", text);
        assertArrayEquals(v, VectorLiteral.parse(text));
        assertNull(VectorLiteral.format(null));
    }

    @Test
    void refusesMalformedLiteralsNamingPositionAndExpectation() {
        assertMessage("1, 2]", "malformed vector literal '1, 2]' at position 1: expected '[' to open the vector");
        assertMessage("[1, 2", "malformed vector literal '[1, 2' at position 6: the vector is not closed with ']'");
        assertMessage("[1, x]", "malformed vector literal '[1, x]' at position 5: expected a number");
        assertMessage("[1 2]", "malformed vector literal '[1 2]' at position 4: expected ',' or ']' after component 1");
        assertMessage("[1,]", "malformed vector literal '[1,]' at position 4: expected a number");
        assertMessage("[1] x", "at position 5: unexpected text after ']'");
        assertMessage("[]", "malformed vector literal '[]': the vector is empty");
        assertMessage("[NaN]", "position 2: component 'NaN' is not a finite number; every component must be a finite number");
        assertMessage("[1, -Infinity]", "position 5: component '-Infinity' is not a finite number");
        assertMessage("[1e39]", "component '1e39' is out of the float range");
        assertMessage("", "expected '[' to open the vector");
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> VectorLiteral.parse(null));
        assertEquals("vector literal must not be NULL; expected '[x1, x2, ...]'", e.getMessage());
    }

    @Test
    void longLiteralsAreShortenedInMessages() {
        String text = "[" + "1, ".repeat(100) + "oops]";
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> VectorLiteral.parse(text));
        assertTrue(e.getMessage().contains("...' (" + text.length() + " characters) at position " + (text.indexOf("oops") + 1)),
            e.getMessage());
    }

    @Test
    void cachedParseKeepsTheQueryLiteralAcrossRowLiterals() {
        String query = "[1, 2, 3]";
        float[] first = VectorLiteral.parseCached(query);
        for (int i = 0; i < 10; i++) {
            VectorLiteral.parseCached("[" + i + ", 0, 0]");
            assertSame(first, VectorLiteral.parseCached(query));
        }
    }

    private static void assertMessage(String text, String expected) {
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> VectorLiteral.parse(text));
        assertTrue(e.getMessage().contains(expected), "message of '" + text + "': " + e.getMessage());
        assertTrue(e.getMessage().endsWith("expected at least one component, as in '[x1, x2, ...]'") ||
            e.getMessage().endsWith("expected '[x1, x2, ...]' with decimal numbers"), e.getMessage());
    }
}
