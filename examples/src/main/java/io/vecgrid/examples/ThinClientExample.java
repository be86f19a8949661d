package io.vecgrid.examples;

import io.vecgrid.api.CollectionDescription;
import io.vecgrid.api.CollectionNotFoundException;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.DimensionMismatchException;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.ReplicaGroupInfo;
import io.vecgrid.api.ReplicaInfo;
import io.vecgrid.api.ScalarType;
import io.vecgrid.api.SearchHit;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.api.SearchResult;
import io.vecgrid.api.VectorRow;
import io.vecgrid.client.VecgridClient;
import io.vecgrid.client.VecgridRequest;
import io.vecgrid.client.VecgridResponse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A thin-client application: connects to a running vecgrid cluster over the Ignite thin client, creates a
 * collection, writes rows, searches with and without a filter, shows the replica groups, and drops the collection.
 * Start a cluster first ({@code scripts/start-cluster.sh 2}), then:
 *
 * <pre>
 * java -cp "examples/target/vecgrid-examples-0.1.0-SNAPSHOT.jar:ignite-plugin/target/vecgrid-ignite-plugin-0.1.0-SNAPSHOT.jar:ignite-plugin/target/lib/*" \
 *     io.vecgrid.examples.ThinClientExample [127.0.0.1:10800..10809]
 * </pre>
 *
 * The application needs only ignite-core and the vecgrid jar ({@code io.vecgrid.api}, {@code io.vecgrid.client}):
 * no server node runs in its JVM.
 */
public final class ThinClientExample {
    private static final String COLLECTION = "example_docs";
    private static final int DIM = 64;
    private static final int ROWS = 5000;

    private ThinClientExample() {
    }

    public static void main(String[] args) throws InterruptedException {
        String addresses = args.length > 0 ? args[0] : VecgridClient.DFLT_ADDRESSES;
        try (VecgridClient vg = VecgridClient.connect(addresses)) {
            run(vg);
        }
    }

    private static void run(VecgridClient vg) throws InterruptedException {
        // Start clean: a previous run may have left the collection.
        try {
            vg.dropCollection(COLLECTION);
        }
        catch (CollectionNotFoundException e) {
            // Not there: fine.
        }

        int servers = vg.status().nodes().size();
        CollectionDescription created = vg.createCollection(CollectionSpec.builder(COLLECTION)
            .dimension(DIM).metric(Metric.COSINE).index(IndexSpec.hnsw(16, 200, 64))
            .scalarField("category", ScalarType.LONG).scalarField("title", ScalarType.STRING)
            .shards(2).replicas(Math.min(2, servers)).build());
        System.out.println("created: " + created);

        Random rnd = new Random(7);
        for (int from = 0; from < ROWS; from += 1000) {
            List<VectorRow> batch = new ArrayList<>();
            for (long pk = from; pk < from + 1000; pk++)
                batch.add(new VectorRow(pk, randomVector(rnd), Map.of("category", pk % 5, "title", "doc " + pk)));
            vg.insert(COLLECTION, batch);
        }
        vg.flush(COLLECTION);
        System.out.println("rows: " + vg.count(COLLECTION) + ", segments: " +
            vg.describeCollection(COLLECTION).segmentCount());

        float[][] queries = {randomVector(rnd), randomVector(rnd)};
        SearchResult top = vg.search(COLLECTION, queries, 5);
        for (int q = 0; q < queries.length; q++)
            System.out.println("query " + q + ": " + top.hits(q));

        SearchResult filtered = vg.search(SearchRequest.builder(COLLECTION, queries, 3)
            .filter("category == 2").outputFields(List.of("title")).build());
        for (SearchHit h : filtered.hits(0))
            System.out.println("category 2: pk " + h.pk() + " '" + h.fields().get("title") + "' similarity " + h.distance());

        ReplicaInfo replicas = vg.replicas(COLLECTION);
        for (ReplicaGroupInfo g : replicas.groups())
            System.out.println("replica group " + g.id() + ": nodes " + g.nodes() + ", shard leaders " + g.shardLeaders());

        // Errors arrive typed, with the server's message.
        try {
            vg.search(COLLECTION, new float[][] {{1, 2, 3}}, 5);
        }
        catch (DimensionMismatchException e) {
            System.out.println("rejected as expected: " + e.getMessage());
        }

        // The same operations without VecgridClient: the compute task by name, a request in, a response out.
        VecgridResponse r = vg.igniteClient().compute().execute(VecgridRequest.TASK_NAME,
            VecgridRequest.count(COLLECTION));
        System.out.println("count through the task by name: " + r.resultOrThrow());

        vg.dropCollection(COLLECTION);
        System.out.println("dropped " + COLLECTION);
    }

    private static float[] randomVector(Random rnd) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++)
            v[i] = (float)rnd.nextGaussian();
        return v;
    }
}
