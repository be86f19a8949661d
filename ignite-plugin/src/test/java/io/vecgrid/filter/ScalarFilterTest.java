package io.vecgrid.filter;

import io.github.jbellis.jvector.util.Bits;
import io.github.jbellis.jvector.util.FixedBitSet;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.ScalarField;
import io.vecgrid.api.ScalarType;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every operator, precedence, nesting, null handling and every error message of the filter language. */
class ScalarFilterTest {
    private static final List<ScalarField> SCHEMA = List.of(
        new ScalarField("age", ScalarType.LONG),
        new ScalarField("score", ScalarType.DOUBLE),
        new ScalarField("active", ScalarType.BOOLEAN),
        new ScalarField("name", ScalarType.STRING));

    /** Rows as objects; null means a null value. */
    private static final class Rows implements ScalarColumns {
        final List<Object[]> rows = new ArrayList<>();

        Rows add(Long age, Double score, Boolean active, String name) {
            rows.add(new Object[] {age, score, active, name});
            return this;
        }

        @Override public long longValue(int col, int row) {
            return (Long)rows.get(row)[col];
        }

        @Override public double doubleValue(int col, int row) {
            return (Double)rows.get(row)[col];
        }

        @Override public boolean booleanValue(int col, int row) {
            return (Boolean)rows.get(row)[col];
        }

        @Override public String stringValue(int col, int row) {
            return (String)rows.get(row)[col];
        }

        @Override public boolean isNull(int col, int row) {
            return rows.get(row)[col] == null;
        }
    }

    private static final Rows ROWS = new Rows()
        .add(10L, 1.5, true, "alice")       // 0
        .add(20L, 2.5, false, "bob")        // 1
        .add(30L, -0.5, true, "carol")      // 2
        .add(null, null, null, null)        // 3
        .add(-5L, Double.NaN, false, "it's") // 4
        .add(3L, 3.0, true, "Bob");         // 5

    /** @return rows matching {@code expr}, as a string like "0,2". */
    private static String match(String expr) {
        ScalarFilter f = ScalarFilter.parse(expr, SCHEMA);
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < ROWS.rows.size(); r++) {
            if (f.test(ROWS, r))
                sb.append(sb.length() == 0 ? "" : ",").append(r);
        }
        return sb.toString();
    }

    private static InvalidRequestException fails(String expr) {
        return assertThrows(InvalidRequestException.class, () -> ScalarFilter.parse(expr, SCHEMA), expr);
    }

    private static void assertMessage(String expr, String... parts) {
        String msg = fails(expr).getMessage();
        for (String p : parts)
            assertTrue(msg.contains(p), "message for <" + expr + "> lacks <" + p + ">: " + msg);
    }

    @Test void longComparisons() {
        assertEquals("1", match("age == 20"));
        assertEquals("0,2,4,5", match("age != 20"));
        assertEquals("0,4,5", match("age < 20"));
        assertEquals("0,1,4,5", match("age <= 20"));
        assertEquals("2", match("age > 20"));
        assertEquals("1,2", match("age >= 20"));
        assertEquals("4", match("age == -5"));
        assertEquals("4", match("age < -4"));
        assertEquals("0,1,2,5", match("age > +0"));
    }

    @Test void longComparedWithDecimalsNumerically() {
        assertEquals("1,2", match("age > 10.5"));
        assertEquals("1,2", match("age >= 10.5"));
        assertEquals("0,4,5", match("age < 10.5"));
        assertEquals("0,4,5", match("age <= 10.5"));
        assertEquals("", match("age == 10.5"));
        assertEquals("0,1,2,4,5", match("age != 10.5"));
        assertEquals("0", match("age == 10.0"));
        assertEquals("0,1,2,4,5", match("age < 1e30"));
        assertEquals("", match("age < -1e30"));
        assertEquals("0,1,2,5", match("age > -4.5"));
        assertEquals("4", match("age <= -4.5"));
        assertEquals("0,1", match("age in [10.0, 20, 30.5]"));
        assertEquals(-1, LongDoubleCompare.compare(2251799813685248L, 2251799813685248.5));
        assertEquals(1, LongDoubleCompare.compare(2251799813685249L, 2251799813685248.5));
        assertEquals(1, LongDoubleCompare.compare(9007199254740993L, 9007199254740992.0));
        assertEquals(-1, LongDoubleCompare.compare(Long.MAX_VALUE, 0x1p63));
        assertEquals(0, LongDoubleCompare.compare(Long.MIN_VALUE, -0x1p63));
    }

    @Test void doubleComparisons() {
        assertEquals("1", match("score == 2.5"));
        assertEquals("5", match("score == 3"));
        assertEquals("0,2", match("score < 2"));
        assertEquals("1,5", match("score >= 2.5"));
        assertEquals("2", match("score < 0"));
        assertEquals("0,1,2,4,5", match("score != 1e10")); // NaN != anything
        assertEquals("", match("score == 1e-300"));
        assertEquals("0,5", match("score in [1.5, 3]"));
        assertEquals("1,2,4", match("score not in [1.5, 3]"));
        assertEquals("2", match("score in [-.5]"));
    }

    @Test void booleanComparisons() {
        assertEquals("0,2,5", match("active == true"));
        assertEquals("0,2,5", match("active"));
        assertEquals("1,4", match("!active"));
        assertEquals("1,4", match("not active"));
        assertEquals("1,4", match("active == FALSE"));
        assertEquals("1,4", match("active != True"));
        assertEquals("0,2,5", match("true == active"));
        assertEquals("0,1,2,4,5", match("active in [true, false]"));
        assertEquals("", match("active in []"));
        assertEquals("0,1,2,4,5", match("active not in []"));
    }

    @Test void stringComparisons() {
        assertEquals("1", match("name == 'bob'"));
        assertEquals("1", match("name == \"bob\""));
        assertEquals("0,2,4,5", match("name != 'bob'"));
        assertEquals("0,5", match("name < 'b'")); // 'B' < 'a' < 'b' in UTF-16 order
        assertEquals("1,2,4", match("name >= 'b'"));
        assertEquals("4", match("name == 'it\\'s'"));
        assertEquals("4", match("name == \"it's\""));
        assertEquals("4", match("name == 'it\\u0027s'"));
        assertEquals("0,1", match("name in ['alice', \"bob\", 'zed']"));
        assertEquals("2,4,5", match("name not in ['alice', 'bob']"));
        assertEquals("1", match("'bob' == name"));
        assertEquals("0,5", match("'b' > name"));
    }

    @Test void nullsMatchNoComparisonEvenNegated() {
        assertEquals("3", match("age is null"));
        assertEquals("0,1,2,4,5", match("age is not null"));
        assertEquals("3", match("NOT (age IS NOT NULL)"));
        assertEquals("0,2,4,5", match("not (age == 20)"));   // row 3 (null) excluded
        assertEquals("0,2,4,5", match("age != 20"));
        assertEquals("0,1,2,4,5", match("not (age > 100 and name == 'x')"));
        assertEquals("2,4,5", match("not name in ['alice', 'bob']"));
        assertEquals("3", match("age is null or score is null and name is null"));
        assertEquals("1,3,4", match("not active or active is null"));
        assertEquals("0,1,2,3,4,5", match("true"));
        assertEquals("", match("false"));
        assertEquals("0,1,2,3,4,5", match("not false"));
    }

    @Test void precedenceAndNesting() {
        // and binds tighter than or: a or (b and c)
        assertEquals("0,2", match("age == 10 or age > 20 and active"));
        assertEquals("0", match("(age == 10 or age > 20) and name == 'alice'"));
        assertEquals("0,2", match("age == 10 || age > 20 && active"));
        assertEquals("((age == 10 or (age > 20 and active == true)))".replace("((", "(").replace("))", ")"),
            ScalarFilter.parse("age == 10 or age > 20 and active", SCHEMA).toString());
        // not binds tightest
        assertEquals("1,2", match("not age < 20 and age is not null"));
        assertEquals("2", match("not (age < 20 or age == 20)"));
        assertEquals("(not(age < 20) and not(age == 20))", ScalarFilter.parse("not (age < 20 or age == 20)", SCHEMA).toString());
        assertEquals("0,2,5", match("((((active))))"));
        assertEquals("1,4", match("not not not active"));
        assertEquals("0", match("(age > 5 and (name == 'alice' or (score < 0 and not active))) or (age is null and false)"));
        assertEquals("2", match("(age > 5 and (name == 'alice' or (score < 0 and active))) and not (score > 0)"));
        assertEquals("0,1,2,5", match("age > 0 AND (name != 'x' Or active)"));
        assertEquals("5", match("3 == age"));
        assertEquals("0,4,5", match("20 > age"));
    }

    @Test void acceptBitsCombineWithDeletes() {
        ScalarFilter f = ScalarFilter.parse("age > 0", SCHEMA);
        Bits notDeleted = r -> r != 1;
        FixedBitSet bits = f.acceptBits(ROWS, ROWS.rows.size(), notDeleted);
        assertEquals(ROWS.rows.size(), bits.length());
        assertEquals(3, bits.cardinality());
        assertTrue(bits.get(0) && bits.get(2) && bits.get(5));
        assertFalse(bits.get(1));
        assertEquals(4, f.acceptBits(ROWS, ROWS.rows.size(), null).cardinality());
        assertEquals(0, f.acceptBits(ROWS, 0, null).cardinality());
    }

    @Test void syntaxErrorsNameTheIndex() {
        assertMessage("age >", "index 5", "expected a literal", "the end of the expression");
        assertMessage("age > )", "index 6", "')'");
        assertMessage("age = 5", "index 4", "'=='");
        assertMessage("(age > 5", "index 8", "')'", "index 0");
        assertMessage("age > 5)", "index 7", "')'");
        assertMessage("age > 5 age < 3", "index 8");
        assertMessage("name == 'abc", "index 8", "not closed");
        assertMessage("name == 'a\\qb'", "index 10", "escape");
        assertMessage("age > 5 & age < 3", "index 8", "'&&'");
        assertMessage("age > 5 | age < 3", "index 8", "'||'");
        assertMessage("age # 3", "index 4", "'#'");
        assertMessage("age in [1, 2", "index 12", "']'");
        assertMessage("age in 1", "index 7", "'['");
        assertMessage("age not 5", "index 8", "'in'");
        assertMessage("age is 5", "index 7", "'null'");
        assertMessage("age > 12abc", "index 8", "after number");
        assertMessage("age > 99999999999999999999", "index 6", "64-bit");
        assertMessage("age > 1e999", "index 6", "range");
        assertMessage("5 age", "index 2", "comparison operator");
        assertMessage("and age > 5", "index 0");
        assertMessage("age > 5 and", "index 11");
        assertMessage("name == 'x\\u12'", "index 10", "hex");
        assertMessage("age", "index 3", "LONG");
        assertMessage("age > 'x' or", "age"); // first error reported: type mismatch
        assertEquals("filter expression is empty", fails("  ").getMessage());
        fails(null);
        String deep = "(".repeat(300) + "active" + ")".repeat(300);
        assertMessage(deep, "nests deeper than 200");
        assertMessage("not ".repeat(300) + "active", "nests deeper than 200");
        assertMessage("x".repeat(ScalarFilter.MAX_LENGTH + 1), "characters");
    }

    @Test void unknownFieldListsKnownOnes() {
        assertMessage("agee > 5", "unknown field 'agee'", "age (LONG)", "score (DOUBLE)", "active (BOOLEAN)", "name (STRING)");
        assertMessage("age > 5 and Name == 'x'", "unknown field 'Name'", "index 12");
        InvalidRequestException e = assertThrows(InvalidRequestException.class, () -> ScalarFilter.parse("a == 1", List.of()));
        assertTrue(e.getMessage().contains("no scalar fields"), e.getMessage());
    }

    @Test void typeMismatchesNameFieldTypeAndLiteral() {
        assertMessage("age == 'ten'", "'age'", "LONG", "string 'ten'");
        assertMessage("age == true", "'age'", "LONG", "boolean true");
        assertMessage("score > \"x\"", "'score'", "DOUBLE", "string \"x\"");
        assertMessage("score == false", "'score'", "DOUBLE", "boolean false");
        assertMessage("name == 5", "'name'", "STRING", "integer 5");
        assertMessage("name < 2.5", "'name'", "STRING", "number 2.5");
        assertMessage("name == true", "'name'", "STRING", "boolean true");
        assertMessage("active == 1", "'active'", "BOOLEAN", "integer 1");
        assertMessage("active == 'yes'", "'active'", "BOOLEAN", "string 'yes'");
        assertMessage("active < true", "operator '<'", "BOOLEAN", "'active'", "true");
        assertMessage("active >= false", "operator '>='", "BOOLEAN", "false");
        assertMessage("age in [1, 'two']", "'age'", "LONG", "string 'two'");
        assertMessage("name in ['a', 2]", "'name'", "STRING", "integer 2");
        assertMessage("active in [true, 0]", "'active'", "BOOLEAN", "integer 0");
        assertMessage("score not in [1, 'x']", "'score'", "DOUBLE", "string 'x'");
        assertMessage("'x' < age", "'age'", "LONG", "string 'x'");
        assertMessage("name", "'name'", "STRING");
    }

    @Test void matchesAReferenceOnRandomRows() {
        java.util.Random rnd = new java.util.Random(9);
        Rows rows = new Rows();
        for (int i = 0; i < 500; i++) {
            rows.add(rnd.nextInt(10) == 0 ? null : (long)rnd.nextInt(100), rnd.nextInt(10) == 0 ? null : rnd.nextDouble() * 10,
                rnd.nextInt(10) == 0 ? null : rnd.nextBoolean(), rnd.nextInt(10) == 0 ? null : "n" + rnd.nextInt(20));
        }
        Object[][] cases = {
            {"age >= 50 and (active or score < 2.5)", (Predicate<Object[]>)r -> r[0] != null && (Long)r[0] >= 50
                && ((r[2] != null && (Boolean)r[2]) || (r[1] != null && (Double)r[1] < 2.5))},
            {"name in ['n1', 'n2'] or age < 10", (Predicate<Object[]>)r -> (r[3] != null && (r[3].equals("n1") || r[3].equals("n2")))
                || (r[0] != null && (Long)r[0] < 10)},
            {"not (age < 30) && name != 'n3'", (Predicate<Object[]>)r -> r[0] != null && (Long)r[0] >= 30 && r[3] != null && !r[3].equals("n3")},
        };
        for (Object[] c : cases) {
            ScalarFilter f = ScalarFilter.parse((String)c[0], SCHEMA);
            @SuppressWarnings("unchecked") Predicate<Object[]> ref = (Predicate<Object[]>)c[1];
            FixedBitSet bits = f.acceptBits(rows, rows.rows.size(), null);
            for (int r = 0; r < rows.rows.size(); r++) {
                assertEquals(ref.test(rows.rows.get(r)), f.test(rows, r), c[0] + " row " + r);
                assertEquals(ref.test(rows.rows.get(r)), bits.get(r));
            }
        }
    }
}
