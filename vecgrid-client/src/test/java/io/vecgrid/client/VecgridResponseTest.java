package io.vecgrid.client;

import io.vecgrid.api.BackupExistsException;
import io.vecgrid.api.BackupNotFoundException;
import io.vecgrid.api.CollectionExistsException;
import io.vecgrid.api.CollectionNotFoundException;
import io.vecgrid.api.DimensionMismatchException;
import io.vecgrid.api.InvalidRequestException;
import io.vecgrid.api.SearchTimeoutException;
import io.vecgrid.api.SegmentUnavailableException;
import io.vecgrid.api.VecgridException;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The error envelope on its own: every {@code io.vecgrid.api} error type is rebuilt on the client side with its
 * exact type, message and fields, including those whose constructors compose the message (the ones a cluster test
 * cannot easily provoke, such as {@link SegmentUnavailableException}).
 */
class VecgridResponseTest {
    private static VecgridException roundTrip(VecgridException e, String collection) {
        VecgridResponse r = VecgridResponse.failure(e, collection);
        assertTrue(r.failed());
        assertNull(r.result());
        VecgridException back = assertThrows(VecgridException.class, r::resultOrThrow);
        assertEquals(e.getClass(), back.getClass());
        assertEquals(e.getMessage(), back.getMessage());
        assertNull(back.getCause(), "no cause travels");
        return back;
    }

    @Test
    void everyApiTypeSurvives() {
        roundTrip(new VecgridException("write failed, nothing was acknowledged"), "c");
        roundTrip(new InvalidRequestException("topK must be in [1, 16384], got 0"), "c");
        roundTrip(new DimensionMismatchException("row 1 (pk 7): vector field 'v' has dimension 3, collection 'c' expects 4"), "c");
        roundTrip(new SearchTimeoutException("search of collection 'c' did not complete within 5 ms"), "c");
        // The name comes from the message, not from the request (a request may name another collection).
        roundTrip(new CollectionNotFoundException("odd 'name' (x)"), "other");
        roundTrip(new CollectionExistsException("docs"), null);
    }

    @Test
    void backupErrorsKeepTheirFields() {
        BackupNotFoundException nf = (BackupNotFoundException)roundTrip(new BackupNotFoundException("nightly_1"), null);
        assertEquals("nightly_1", nf.backup());
        BackupExistsException ex = (BackupExistsException)roundTrip(new BackupExistsException("nightly_1"), null);
        assertEquals("nightly_1", ex.backup());
        // Advice after the plain message; the collection comes from the exception, not the request.
        CollectionExistsException ce = (CollectionExistsException)roundTrip(new CollectionExistsException("docs",
            "drop it first ('vecgrid drop docs') to restore it from backup 'b'. Nothing was restored"), null);
        assertEquals("docs", ce.collection());
        assertEquals("docs", VecgridResponse.failure(new CollectionExistsException("docs", "x"), "other").errorCollection());
    }

    @Test
    void segmentUnavailableKeepsItsFields() {
        SegmentUnavailableException e = new SegmentUnavailableException("docs", 3, 1234567890123L,
            "node 1f2e left (and its copy); retry");
        SegmentUnavailableException back = (SegmentUnavailableException)roundTrip(e, "docs");
        assertEquals("docs", back.collection());
        assertEquals(3, back.shard());
        assertEquals(1234567890123L, back.segmentId());
    }

    @Test
    void aServerSideSubclassArrivesAsItsApiType() {
        VecgridException internal = new InvalidRequestException("bad filter: 'colour' is not a field") {
            private static final long serialVersionUID = 1L;
        };
        VecgridResponse r = VecgridResponse.failure(new VecgridException("wrapper", internal), "c");
        assertEquals(VecgridException.class.getName(), r.errorType());
        VecgridResponse sub = VecgridResponse.failure(internal, "c");
        assertEquals(InvalidRequestException.class.getName(), sub.errorType());
        assertEquals(InvalidRequestException.class, sub.error().getClass());
        assertEquals("bad filter: 'colour' is not a field", sub.error().getMessage());
    }

    @Test
    void successCarriesTheResult() {
        List<String> names = List.of("a", "b");
        VecgridResponse r = VecgridResponse.ok(names);
        assertFalse(r.failed());
        assertNull(r.error());
        assertSame(names, r.resultOrThrow());
    }
}
