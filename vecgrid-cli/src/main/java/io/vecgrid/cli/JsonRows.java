package io.vecgrid.cli;

import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.VectorRow;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rows of a JSON-lines file: one object per line, e.g. {@code {"id": 7, "vector": [0.1, 0.2], "tag": 3}}, with the
 * collection's field names (primary key and vector required, scalar fields optional). Blank lines are skipped.
 */
final class JsonRows extends TextRows {

    JsonRows(Path file, CollectionSpec spec) throws IOException {
        super(file, spec);
    }

    @Override public VectorRow next() throws IOException {
        String text;
        do {
            text = in.readLine();
            if (text == null)
                return null;
            line++;
        }
        while (text.isBlank());
        if (line == 1 && text.startsWith("\uFEFF"))
            text = text.substring(1);
        Object parsed;
        try {
            parsed = Json.parse(text);
        }
        catch (IllegalArgumentException e) {
            throw schema.error(where(), e.getMessage());
        }
        if (!(parsed instanceof Map))
            throw schema.error(where(), "expected a JSON object per line");
        CollectionSpec spec = schema.spec();
        Map<?, ?> obj = (Map<?, ?>)parsed;
        if (!obj.containsKey(spec.pkField()))
            throw schema.error(where(), "primary key field '" + spec.pkField() + "' is missing");
        if (!obj.containsKey(spec.vectorField()))
            throw schema.error(where(), "vector field '" + spec.vectorField() + "' is missing");
        long pk = schema.pk(obj.get(spec.pkField()), where());
        float[] vector = schema.vector(obj.get(spec.vectorField()), where());
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : obj.entrySet()) {
            String name = (String)e.getKey();
            if (name.equals(spec.pkField()) || name.equals(spec.vectorField()))
                continue;
            fields.put(name, schema.scalar(schema.field(name, where()), e.getValue(), where()));
        }
        return new VectorRow(pk, vector, fields);
    }
}
