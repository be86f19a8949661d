package io.vecgrid.sql;

import io.vecgrid.api.CollectionDescription;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.ScalarField;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A collection's description as a JSON document with stable field names: what {@code vecgrid describe NAME --json}
 * prints (documented in docs/clients.md — add fields, never rename them) and what the SQL functions of
 * {@link CollectionFunctions} return, on one line. The node writes it itself, without a JSON library on its
 * classpath; the CLI prints the same {@link #document} through Jackson, and its tests check the two agree.
 */
public final class DescriptionJson {
    private DescriptionJson() {
    }

    /** @return the description as one line of JSON. */
    public static String describe(CollectionDescription d) {
        StringBuilder sb = new StringBuilder(512);
        write(sb, document(d));
        return sb.toString();
    }

    /** @return the description's document: {@link Map}s (field order kept), {@link List}s, strings, longs, booleans. */
    public static Map<String, Object> document(CollectionDescription d) {
        CollectionSpec s = d.spec();
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("pkField", s.pkField());
        schema.put("vectorField", s.vectorField());
        schema.put("dimension", (long)s.dimension());
        schema.put("metric", s.metric().name());
        IndexSpec ix = s.index();
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("type", ix.type().name());
        index.put("m", (long)ix.m());
        index.put("efConstruction", (long)ix.efConstruction());
        index.put("ef", (long)ix.ef());
        schema.put("index", index);
        List<Object> scalars = new ArrayList<>();
        for (ScalarField f : s.scalarFields()) {
            Map<String, Object> fm = new LinkedHashMap<>();
            fm.put("name", f.name());
            fm.put("type", f.type().name());
            scalars.add(fm);
        }
        schema.put("scalarFields", scalars);
        schema.put("shards", (long)s.shards());

        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", d.name());
        doc.put("state", d.state().name());
        doc.put("schema", schema);
        doc.put("rowCount", d.rowCount());
        doc.put("segmentCount", (long)d.segmentCount());
        doc.put("replicaNumber", (long)d.replicaNumber());
        doc.put("underReplicated", d.underReplicated());
        doc.put("version", d.version());
        doc.put("targetVersion", d.targetVersion());
        return doc;
    }

    /**
     * Writes {@code v} as compact JSON, as Jackson's default writer does: maps in their order, strings with {@code "}
     * and {@code \} escaped, control characters as {@code \b \t \n \f \r} or {@code \}{@code u00XX}, everything else
     * as it is.
     */
    static void write(StringBuilder sb, Object v) {
        if (v == null)
            sb.append("null");
        else if (v instanceof String)
            string(sb, (String)v);
        else if (v instanceof Long || v instanceof Integer || v instanceof Boolean)
            sb.append(v);
        else if (v instanceof Map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>)v).entrySet()) {
                if (!first)
                    sb.append(',');
                first = false;
                string(sb, String.valueOf(e.getKey()));
                sb.append(':');
                write(sb, e.getValue());
            }
            sb.append('}');
        }
        else if (v instanceof List) {
            sb.append('[');
            boolean first = true;
            for (Object o : (List<?>)v) {
                if (!first)
                    sb.append(',');
                first = false;
                write(sb, o);
            }
            sb.append(']');
        }
        else
            throw new IllegalArgumentException("not a value of a description document: " + v.getClass().getName());
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\b': sb.append("\\b"); break;
                case '\t': sb.append("\\t"); break;
                case '\n': sb.append("\\n"); break;
                case '\f': sb.append("\\f"); break;
                case '\r': sb.append("\\r"); break;
                default:
                    if (c < 0x20)
                        sb.append(String.format("\\u%04X", (int)c));
                    else
                        sb.append(c);
            }
        }
        sb.append('"');
    }
}
