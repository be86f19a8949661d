package io.vecgrid.cli;

import io.vecgrid.api.CollectionDescription;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.IndexType;
import io.vecgrid.api.Limits;
import io.vecgrid.api.Metric;
import io.vecgrid.api.ScalarType;
import io.vecgrid.client.VecgridClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code vecgrid create NAME --dim D --metric L2|IP|COSINE [--index FLAT|HNSW] ... [--json]}. */
@Command(name = "create", mixinStandardHelpOptions = true,
    description = "Create a collection.",
    footerHeading = "%nExamples:%n",
    footer = {"  vecgrid create docs --dim 128 --metric L2 --index FLAT --shards 2 \\",
        "      --replicas 2 --field category:LONG,title:STRING",
        "  vecgrid create fmnist --dim 784 --metric L2 --m 16 --ef-construction 200",
        "  vecgrid create emb --dim 384 --metric COSINE --json   # as 'describe --json'"})
final class CreateCommand implements Callable<Integer> {
    @ParentCommand
    VecgridCli root;

    @Parameters(paramLabel = "NAME", description = "Collection name: letters, digits, '_'.")
    String name;

    @Option(names = "--dim", required = true, paramLabel = "D", description = "Vector dimension, 1..32768.")
    int dim;

    @Option(names = "--metric", required = true, paramLabel = "L2|IP|COSINE",
        description = "Distance: L2 (squared Euclidean), IP (inner product) or COSINE.")
    String metric;

    @Option(names = "--index", paramLabel = "FLAT|HNSW", description = "Index of sealed segments (default: HNSW).")
    String index = "HNSW";

    @Option(names = "--m", paramLabel = "M", description = "HNSW maximum degree (default: 16).")
    int m = IndexSpec.DFLT_M;

    @Option(names = "--ef-construction", paramLabel = "E", description = "HNSW build beam width (default: 200).")
    int efConstruction = IndexSpec.DFLT_EF_CONSTRUCTION;

    @Option(names = "--ef", paramLabel = "EF", description = "Default HNSW search beam width (default: 64).")
    int ef = IndexSpec.DFLT_EF;

    @Option(names = "--shards", paramLabel = "S", description = "Shards (default: 2).")
    int shards = Limits.DFLT_SHARDS;

    @Option(names = "--replicas", paramLabel = "R", description = "In-memory replicas, at most the server nodes (default: 1).")
    int replicas = Limits.DFLT_REPLICAS;

    @Option(names = "--pk-field", paramLabel = "NAME", description = "Primary key field name (default: id).")
    String pkField = CollectionSpec.DFLT_PK_FIELD;

    @Option(names = "--vector-field", paramLabel = "NAME", description = "Vector field name (default: vector).")
    String vectorField = CollectionSpec.DFLT_VECTOR_FIELD;

    @Option(names = "--field", paramLabel = "NAME:TYPE", split = ",",
        description = "Scalar field, TYPE one of LONG, DOUBLE, BOOLEAN, STRING; repeat or comma-separate.")
    List<String> fields = List.of();

    @Option(names = "--json", description = "Print the new collection as 'describe --json' does.")
    boolean json;

    @Override public Integer call() {
        CollectionSpec.Builder b = CollectionSpec.builder(name).dimension(dim).metric(Metric.parse(metric))
            .index(new IndexSpec(indexType(), m, efConstruction, ef)).shards(shards).replicas(replicas)
            .pkField(pkField).vectorField(vectorField);
        for (String f : fields) {
            int colon = f.indexOf(':');
            if (colon <= 0)
                throw new BadInputException("--field: expected NAME:TYPE, got '" + f + "'");
            b.scalarField(f.substring(0, colon).trim(), scalarType(f.substring(colon + 1).trim()));
        }
        CollectionSpec spec = b.build();
        try (VecgridClient c = root.connect()) {
            CollectionDescription d = c.createCollection(spec);
            if (json)
                root.printJson(Views.describe(d));
            else
                root.out().println("created '" + d.name() + "': dim " + spec.dimension() + ", " + spec.metric() + ", " +
                    spec.index() + ", " + spec.shards() + " shard(s), " + d.replicaNumber() + " replica(s)");
        }
        return VecgridCli.EXIT_OK;
    }

    private IndexType indexType() {
        try {
            return IndexType.valueOf(index.trim().toUpperCase(Locale.ROOT));
        }
        catch (IllegalArgumentException e) {
            throw new BadInputException("--index must be FLAT or HNSW, got '" + index + "'");
        }
    }

    private static ScalarType scalarType(String t) {
        try {
            return ScalarType.valueOf(t.toUpperCase(Locale.ROOT));
        }
        catch (IllegalArgumentException e) {
            throw new BadInputException("--field type must be LONG, DOUBLE, BOOLEAN or STRING, got '" + t + "'");
        }
    }
}
