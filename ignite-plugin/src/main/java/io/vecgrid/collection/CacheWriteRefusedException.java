package io.vecgrid.collection;

import org.apache.ignite.IgniteException;

/**
 * A write to one of vecgrid's caches that did not come from vecgrid, refused before anything was written (see
 * {@link CacheWriteGuard}). Not an Ignite {@code SecurityException}, though the check runs in Ignite's security hook:
 * Ignite's thin-client listener replaces the message of a {@code SecurityException} with "Client is not authorized to
 * perform this operation" ({@code ClientRequestHandler.handle}), and the caller must read which collection and what to
 * use instead. Callers see it as thrown (data streamer {@code addData}), or as the cause and message of the
 * {@code CacheException} of a cache call.
 */
public class CacheWriteRefusedException extends IgniteException {
    private static final long serialVersionUID = 1L;

    public CacheWriteRefusedException(String msg) {
        super(msg);
    }
}
