package io.vecgrid.cli;

import io.vecgrid.api.CollectionDescription;
import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.CollectionState;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.ScalarType;
import io.vecgrid.sql.DescriptionJson;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The node writes a collection's description without a JSON library (the SQL functions' result); the CLI prints the
 * same document through Jackson ({@code describe --json}). Both must give the same text, so that SQL and the CLI
 * answer alike.
 */
class DescribeJsonTest {
    @Test
    void nodeAndCliWriteTheSameJson() {
        List<CollectionDescription> ds = List.of(
            new CollectionDescription(CollectionSpec.builder("plain").dimension(3).build(), CollectionState.values()[0],
                1, 0, 0, 0, false),
            new CollectionDescription(CollectionSpec.builder("Docs_2").dimension(784).metric(Metric.COSINE)
                .index(IndexSpec.hnsw(32, 400, 128)).pkField("id").vectorField("emb")
                .scalarField("tag", ScalarType.LONG).scalarField("score", ScalarType.DOUBLE)
                .scalarField("ok", ScalarType.BOOLEAN).scalarField("title", ScalarType.STRING).shards(4).replicas(3)
                .build(), CollectionState.values()[CollectionState.values().length - 1], Long.MAX_VALUE, 1_234_567_890L,
                17, 42, true),
            new CollectionDescription(CollectionSpec.builder("f").dimension(1).metric(Metric.IP).index(IndexSpec.flat())
                .build(), CollectionState.values()[0], 7, 3, 1, 7, false));
        for (CollectionDescription d : ds) {
            String node = DescriptionJson.describe(d);
            assertEquals(Json.line(Views.describe(d)), node);
            // And the CLI reads back what the node wrote as the document it started from.
            @SuppressWarnings("unchecked")
            Map<String, Object> back = (Map<String, Object>)Json.parse(node);
            assertEquals(DescriptionJson.document(d), back);
        }
    }
}
