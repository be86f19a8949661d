package io.vecgrid.cli;

import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.VectorRow;
import io.vecgrid.client.VecgridClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code vecgrid get NAME --ids 1,2,3 [--output-fields F,G] [--json]}: the rows of those primary keys, in the order
 * given (each key once). Without {@code --json}: one JSON object per row and line, in the format {@code import} reads,
 * and the keys not found on standard error; with it, one document.
 */
@Command(name = "get", mixinStandardHelpOptions = true,
    description = {"Read rows by primary key, in the order given; keys with no row are left out (and listed).",
        "Prints one JSON object per row and line, in the JSON-lines format 'import' reads."},
    footerHeading = "%nExamples:%n",
    footer = {"  vecgrid get docs --ids 1,2,3",
        "  vecgrid get docs --ids 7 --output-fields title,category   # no vector",
        "  vecgrid get docs --ids 1,2 --output-fields vector,title",
        "  vecgrid get docs --ids 1,2,3 --json",
        "  vecgrid get docs --ids 1,2,3 > rows.jsonl; vecgrid import other rows.jsonl"})
final class GetCommand implements Callable<Integer> {
    @ParentCommand
    VecgridCli root;

    @Parameters(paramLabel = "NAME", description = "Collection.")
    String name;

    @Option(names = "--ids", required = true, split = ",", paramLabel = "PK",
        description = "Primary keys, comma-separated or repeated.")
    List<String> ids;

    @Option(names = "--output-fields", split = ",", paramLabel = "FIELD",
        description = "Fields to return; name the vector field to get the vector (default: every field and the vector).")
    List<String> outputFields;

    @Option(names = "--json", description = "One JSON document: {\"collection\", \"rows\": [...], \"missing\": [...]}.")
    boolean json;

    @Override public Integer call() {
        long[] pks = Pks.parse(ids, "--ids");
        List<VectorRow> rows = new ArrayList<>(pks.length);
        CollectionSpec spec;
        try (VecgridClient c = root.connect()) {
            spec = c.describeCollection(name).spec();
            for (int from = 0; from < pks.length; from += Pks.BATCH)
                rows.addAll(c.get(name, Pks.slice(pks, from, from + Pks.BATCH), outputFields));
        }
        Set<Long> found = new HashSet<>();
        List<Object> docs = new ArrayList<>(rows.size());
        for (VectorRow r : rows) {
            found.add(r.pk());
            docs.add(Views.row(spec, r, outputFields));
        }
        List<Object> missing = new ArrayList<>();
        for (long pk : pks) {
            if (!found.contains(pk))
                missing.add(pk);
        }
        if (json) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("collection", name);
            doc.put("rows", docs);
            doc.put("missing", missing);
            root.printJson(doc);
        }
        else {
            for (Object d : docs)
                root.out().println(Json.line(d));
            if (!missing.isEmpty()) {
                root.err().println("vecgrid: " + missing.size() + " of " + pks.length + " primary key(s) have no row in '" +
                    name + "': " + join(missing));
            }
        }
        return VecgridCli.EXIT_OK;
    }

    private static String join(List<Object> l) {
        StringBuilder sb = new StringBuilder();
        for (Object o : l)
            sb.append(sb.length() == 0 ? "" : ",").append(o);
        return sb.toString();
    }
}
