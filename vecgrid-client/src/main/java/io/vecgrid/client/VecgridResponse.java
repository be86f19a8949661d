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

import java.io.Serializable;
import java.lang.reflect.Constructor;

/**
 * What {@value VecgridRequest#TASK_NAME} answers: either the operation's result (a plain value: an
 * {@code io.vecgrid.api} type, {@code Long}, {@code List}, {@link ClusterStatus}, or {@code null}) or a vecgrid error,
 * never both. The task never fails: every failure on the server, Ignite's own included, arrives here as an error of
 * an {@code io.vecgrid.api} type with the server's message, and {@link #resultOrThrow()} rethrows it on the client as
 * that type with that same message.
 *
 * <p>The error is carried as plain fields rather than a serialized exception so that any thin client can read it:
 * {@link #errorType()} is the class name of the error (its nearest {@code io.vecgrid.api} class when the server threw
 * a subclass of its own), {@link #errorMessage()} its message, and {@link #errorCollection()},
 * {@link #errorShard()}, {@link #errorSegmentId()} the fields of {@link CollectionNotFoundException},
 * {@link CollectionExistsException} and {@link SegmentUnavailableException}.
 *
 * <p>Immutable.
 */
public final class VecgridResponse implements Serializable {
    private static final long serialVersionUID = 1L;

    private static final String API_PACKAGE = "io.vecgrid.api.";
    /** Stands for a value inside a message, to find where the value sits. */
    private static final String HOLE = "\u0000";

    private final Object result;
    private final String errorType;
    private final String errorMessage;
    private final String errorCollection;
    private final int errorShard;
    private final long errorSegmentId;

    private VecgridResponse(Object result, String errorType, String errorMessage, String errorCollection,
        int errorShard, long errorSegmentId) {
        this.result = result;
        this.errorType = errorType;
        this.errorMessage = errorMessage;
        this.errorCollection = errorCollection;
        this.errorShard = errorShard;
        this.errorSegmentId = errorSegmentId;
    }

    /** @return a successful response carrying {@code result}. */
    public static VecgridResponse ok(Object result) {
        return new VecgridResponse(result, null, null, null, -1, -1);
    }

    /**
     * @param collection collection the operation concerned, for the fields of the collection errors (may be
     *     {@code null}).
     * @return a failed response carrying {@code e}'s type and message (never its cause or stack).
     */
    public static VecgridResponse failure(VecgridException e, String collection) {
        Class<?> type = e.getClass();
        while (!type.getName().startsWith(API_PACKAGE))
            type = type.getSuperclass();
        String coll = collection;
        int shard = -1;
        long segment = -1;
        String msg = e.getMessage() == null ? type.getSimpleName() : e.getMessage();
        if (e instanceof SegmentUnavailableException) {
            SegmentUnavailableException s = (SegmentUnavailableException)e;
            coll = s.collection();
            shard = s.shard();
            segment = s.segmentId();
        }
        else if (e instanceof CollectionNotFoundException)
            coll = orElse(hole(new CollectionNotFoundException(HOLE).getMessage(), msg), collection);
        else if (e instanceof CollectionExistsException) {
            String named = ((CollectionExistsException)e).collection();
            coll = named != null ? named : orElse(hole(new CollectionExistsException(HOLE).getMessage(), msg), collection);
        }
        return new VecgridResponse(null, type.getName(), msg, coll, shard, segment);
    }

    /** @return {@code true} if the operation failed. */
    public boolean failed() {
        return errorType != null;
    }

    /** @return the result ({@code null} for operations without one, or when the operation failed). */
    public Object result() {
        return result;
    }

    /**
     * @return the result.
     * @throws VecgridException the server's error, as its {@code io.vecgrid.api} type with its message.
     */
    public Object resultOrThrow() {
        if (failed())
            throw error();
        return result;
    }

    /** @return class name of the error, or {@code null} on success. */
    public String errorType() {
        return errorType;
    }

    /** @return the server's error message, or {@code null} on success. */
    public String errorMessage() {
        return errorMessage;
    }

    /** @return collection named by the error, or {@code null}. */
    public String errorCollection() {
        return errorCollection;
    }

    /** @return shard of a {@link SegmentUnavailableException}, else -1. */
    public int errorShard() {
        return errorShard;
    }

    /** @return segment of a {@link SegmentUnavailableException}, else -1. */
    public long errorSegmentId() {
        return errorSegmentId;
    }

    /**
     * Rebuilds the server's error on this side: same type, same message. Types whose constructor composes the message
     * from fields are rebuilt from those fields, then checked; if the message would differ (an older or newer server),
     * the nearest type that takes a message as it is is used instead.
     *
     * @return the error, or {@code null} on success.
     */
    public VecgridException error() {
        if (!failed())
            return null;
        VecgridException e = rebuild();
        if (e != null && errorMessage.equals(e.getMessage()))
            return e;
        if (CollectionNotFoundException.class.getName().equals(errorType) ||
            CollectionExistsException.class.getName().equals(errorType) ||
            BackupNotFoundException.class.getName().equals(errorType) ||
            BackupExistsException.class.getName().equals(errorType))
            return new InvalidRequestException(errorMessage);
        return new VecgridException(errorMessage);
    }

    private VecgridException rebuild() {
        switch (errorType) {
            case "io.vecgrid.api.VecgridException": return new VecgridException(errorMessage);
            case "io.vecgrid.api.InvalidRequestException": return new InvalidRequestException(errorMessage);
            case "io.vecgrid.api.DimensionMismatchException": return new DimensionMismatchException(errorMessage);
            case "io.vecgrid.api.SearchTimeoutException": return new SearchTimeoutException(errorMessage);
            case "io.vecgrid.api.DiskSpaceException": return new io.vecgrid.api.DiskSpaceException(errorMessage);
            case "io.vecgrid.api.IngestRateException": return new io.vecgrid.api.IngestRateException(errorMessage);
            case "io.vecgrid.api.NodeStoppingException": return new io.vecgrid.api.NodeStoppingException(errorMessage);
            case "io.vecgrid.api.CollectionNotFoundException":
                return errorCollection == null ? null : new CollectionNotFoundException(errorCollection);
            case "io.vecgrid.api.CollectionExistsException": return collectionExists();
            case "io.vecgrid.api.SegmentUnavailableException": return segmentUnavailable();
            case "io.vecgrid.api.BackupNotFoundException": {
                String name = hole(new BackupNotFoundException(HOLE).getMessage(), errorMessage);
                return name == null ? null : new BackupNotFoundException(name);
            }
            case "io.vecgrid.api.BackupExistsException": {
                String name = hole(new BackupExistsException(HOLE).getMessage(), errorMessage);
                return name == null ? null : new BackupExistsException(name);
            }
            default: return byReflection();
        }
    }

    /** The plain message, or the plain message, a colon and what to do (see {@link CollectionExistsException}). */
    private VecgridException collectionExists() {
        if (errorCollection == null)
            return null;
        CollectionExistsException plain = new CollectionExistsException(errorCollection);
        String head = plain.getMessage() + ": ";
        if (errorMessage.startsWith(head))
            return new CollectionExistsException(errorCollection, errorMessage.substring(head.length()));
        return plain;
    }

    /** The exception's message wraps a free-text detail between fixed words: take the detail back out. */
    private VecgridException segmentUnavailable() {
        String probe = new SegmentUnavailableException(errorCollection, errorShard, errorSegmentId, HOLE).getMessage();
        String detail = hole(probe, errorMessage);
        return detail == null ? null : new SegmentUnavailableException(errorCollection, errorShard, errorSegmentId, detail);
    }

    /**
     * @param probe a message composed with {@link #HOLE} in place of one value.
     * @param msg the same kind of message composed with the real value.
     * @return the real value, or {@code null} if {@code msg} does not have the probe's shape.
     */
    private static String hole(String probe, String msg) {
        int at = probe.indexOf(HOLE);
        String head = probe.substring(0, at);
        String tail = probe.substring(at + HOLE.length());
        if (msg == null || msg.length() < head.length() + tail.length() || !msg.startsWith(head) || !msg.endsWith(tail))
            return null;
        return msg.substring(head.length(), msg.length() - tail.length());
    }

    private static String orElse(String a, String b) {
        return a != null ? a : b;
    }

    /** An {@code io.vecgrid.api} error type this class does not know yet, with a message-only constructor. */
    private VecgridException byReflection() {
        if (!errorType.startsWith(API_PACKAGE))
            return null;
        try {
            Class<?> cls = Class.forName(errorType, false, VecgridResponse.class.getClassLoader());
            if (!VecgridException.class.isAssignableFrom(cls))
                return null;
            Constructor<?> c = cls.getConstructor(String.class);
            return (VecgridException)c.newInstance(errorMessage);
        }
        catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    @Override public String toString() {
        return failed() ? "VecgridResponse[error " + errorType + ": " + errorMessage + "]" :
            "VecgridResponse[ok " + (result == null ? "" : result.getClass().getSimpleName()) + "]";
    }
}
