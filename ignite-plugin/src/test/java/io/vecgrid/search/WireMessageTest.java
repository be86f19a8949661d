package io.vecgrid.search;

import io.vecgrid.api.CollectionSpec;
import io.vecgrid.api.CollectionState;
import io.vecgrid.api.IndexSpec;
import io.vecgrid.api.Metric;
import io.vecgrid.api.SearchRequest;
import io.vecgrid.collection.CollectionMeta;
import io.vecgrid.collection.SegmentRef;
import org.apache.ignite.internal.direct.DirectMessageReader;
import org.apache.ignite.internal.direct.DirectMessageWriter;
import org.apache.ignite.internal.managers.communication.IgniteMessageFactoryImpl;
import org.apache.ignite.plugin.extensions.communication.Message;
import org.apache.ignite.plugin.extensions.communication.MessageFactoryProvider;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The search messages through Ignite's own direct writer and reader (the classes its communication uses), in buffers
 * a few bytes long, so every field is cut across buffers somewhere and written and read again from where it stopped:
 * what is read equals what was sent, field by field, and writes again to the same bytes.
 */
class WireMessageTest {
    /**
     * Buffer sizes: each cuts the fields at other places. At least 17 bytes: Ignite's stream writes a number or a
     * UUID whole or not at all (its buffers hold kilobytes), and only arrays and strings across buffers.
     */
    private static final int[] CHUNKS = {17, 19, 31, 64, 1 << 16};

    @Test
    void aJobArrivesAsItWasSent() {
        CollectionSpec spec = CollectionSpec.builder("docs").dimension(5).metric(Metric.L2).index(IndexSpec.flat())
            .build();
        CollectionMeta meta = new CollectionMeta(spec, "uid-1", CollectionState.READY, 1, 64, 256);
        float[][] queries = {{1, 2, 3, 4, 5}, {-1, 0.5f, Float.MIN_VALUE, 7, 8}, {0, 0, 0, 0, 1}};
        UUID router = UUID.randomUUID();
        for (String filter : new String[] {null, "price > 3 and tag in ('a', 'b')"}) {
            SearchRequest req = SearchRequest.builder("docs", queries, 7).ef(33).filter(filter).build();
            SearchContext ctx = new SearchContext(meta, null, req, 5_000, router);
            NodeJob sent = new NodeJob(ctx, 42, 3, new long[] {64, 65, 1L << 40}, new int[] {0, 2}, 1234);
            for (int chunk : CHUNKS) {
                NodeJob got = roundTrip(sent, NodeJob::new, chunk);
                assertEquals(42, got.searchId);
                assertEquals(3, got.unit);
                assertEquals(router, got.router);
                assertArrayEquals(new long[] {64, 65, 1L << 40}, got.segments());
                assertArrayEquals(new int[] {0, 2}, got.shards());
                assertEquals(sent.toString(), got.toString());
                // Every other field (queries, k, ef, filter, timeout): read back, it writes the same bytes.
                assertArrayEquals(write(sent, 1 << 16), write(got, 1 << 16), "job read with buffers of " + chunk + " bytes");
            }
        }
    }

    @Test
    void anAnswerArrivesAsItWasSent() {
        List<List<SegmentRef>> leaders = List.of(
            List.of(new SegmentRef(64, 0, 3, 1000, 123_456_789_012L, 2), new SegmentRef(128, 0, 5, 7, 99, 1)),
            List.of(),
            List.of(new SegmentRef(1L << 33, 2, 63, Integer.MAX_VALUE, 1L << 40, 17)));
        NodeAnswer a = new NodeAnswer(new int[] {2, 1}, new long[] {5, 9, -3}, new float[] {0.5f, 1.5f, Float.MAX_VALUE},
            new long[] {64, 128}, new long[] {256}, new long[] {256}, new int[] {0, 2}, new int[] {1}, leaders,
            new long[] {11, 12, 13}, 987_654, 4, 2, true);
        NodeReply sent = new NodeReply(7, 1, a, null);
        for (int chunk : CHUNKS) {
            NodeReply got = roundTrip(sent, NodeReply::new, chunk);
            assertEquals(7, got.searchId);
            assertEquals(1, got.unit);
            assertNull(got.error);
            NodeAnswer b = got.answer;
            assertArrayEquals(a.counts, b.counts);
            assertArrayEquals(a.pks, b.pks);
            assertArrayEquals(a.distances, b.distances);
            assertArrayEquals(a.searchedSegments, b.searchedSegments);
            assertArrayEquals(a.unavailableSegments, b.unavailableSegments);
            assertArrayEquals(a.loadingSegments, b.loadingSegments);
            assertArrayEquals(a.searchedShards, b.searchedShards);
            assertArrayEquals(a.unavailableShards, b.unavailableShards);
            assertEquals(describe(a.leaderSegments), describe(b.leaderSegments));
            assertArrayEquals(a.leaderVersions, b.leaderVersions);
            assertEquals(a.serviceNanosPerUnit, b.serviceNanosPerUnit);
            assertEquals(a.queue, b.queue);
            assertEquals(a.routers, b.routers);
            assertTrue(b.cancelled);
        }
    }

    @Test
    void aFailureAndACancelArriveAsTheyWereSent() {
        for (int chunk : CHUNKS) {
            NodeReply failed = roundTrip(new NodeReply(8, 2, null, "segment 64: copy not loaded"), NodeReply::new, chunk);
            assertEquals(8, failed.searchId);
            assertEquals(2, failed.unit);
            assertNull(failed.answer);
            assertEquals("segment 64: copy not loaded", failed.error);
            assertEquals(Long.MIN_VALUE, roundTrip(new NodeCancel(Long.MIN_VALUE), NodeCancel::new, chunk).searchId);
        }
    }

    @Test
    void ignitesFactoryMakesEachType() {
        IgniteMessageFactoryImpl f = new IgniteMessageFactoryImpl(new MessageFactoryProvider[] {WireMessage.FACTORY});
        assertTrue(f.create(WireMessage.JOB_TYPE) instanceof NodeJob);
        assertTrue(f.create(WireMessage.REPLY_TYPE) instanceof NodeReply);
        assertTrue(f.create(WireMessage.CANCEL_TYPE) instanceof NodeCancel);
    }

    /** @return {@code sent} written and read back through buffers of {@code chunk} bytes. */
    @SuppressWarnings("unchecked")
    private static <M extends Message> M roundTrip(M sent, Supplier<M> blank, int chunk) {
        byte[] bytes = write(sent, chunk);
        M got = blank.get();
        DirectMessageReader reader = new DirectMessageReader(new IgniteMessageFactoryImpl(
            new MessageFactoryProvider[] {WireMessage.FACTORY}));
        // The type comes first (Ignite's parser reads it to make the message), then the fields.
        int pos = Message.DIRECT_TYPE_SIZE;
        boolean done = false;
        while (!done) {
            assertTrue(pos <= bytes.length, "the reader wants more than was written");
            ByteBuffer buf = ByteBuffer.wrap(Arrays.copyOfRange(bytes, pos, Math.min(bytes.length, pos + chunk)));
            done = got.readFrom(buf, reader);
            pos += buf.position();
        }
        assertEquals(bytes.length, pos, "every byte read");
        return got;
    }

    private static byte[] write(Message m, int chunk) {
        DirectMessageWriter writer = new DirectMessageWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean done = false;
        int rounds = 0;
        while (!done) {
            ByteBuffer buf = ByteBuffer.allocate(chunk);
            done = m.writeTo(buf, writer);
            out.write(buf.array(), 0, buf.position());
            assertFalse(++rounds > 1_000_000, "the writer makes no progress");
        }
        return out.toByteArray();
    }

    private static String describe(List<List<SegmentRef>> leaders) {
        StringBuilder sb = new StringBuilder();
        for (List<SegmentRef> segs : leaders) {
            sb.append('[');
            for (SegmentRef s : segs)
                sb.append(s.id()).append('/').append(s.shard()).append('/').append(s.slot()).append('/').append(s.rows())
                    .append('/').append(s.bytes()).append('/').append(s.chunks()).append(' ');
            sb.append(']');
        }
        return sb.toString();
    }
}
