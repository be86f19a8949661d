package io.vecgrid.search;

import org.apache.ignite.plugin.extensions.communication.Message;
import org.apache.ignite.plugin.extensions.communication.MessageFactoryProvider;
import org.apache.ignite.plugin.extensions.communication.MessageReader;
import org.apache.ignite.plugin.extensions.communication.MessageWriter;

import java.nio.ByteBuffer;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;

/**
 * A search message in Ignite's direct form: written field by field straight into the communication buffer and read
 * back the same way, with no marshaller in between, as Ignite's own cache and query messages are. Ignite's user
 * messages marshalled every job with the binary marshaller (a schema, and an identity hash over the whole object,
 * query vectors included) and handed it to the public pool; in a profile of the cluster benchmark that was a third of
 * the routing client's CPU.
 *
 * <p>A subclass lists its fields once ({@link #fields}), each as a writer and a reader; this class runs Ignite's
 * resumable protocol over them (a field that does not fit the buffer is written again into the next one).
 *
 * <p>The direct types are registered by the plugin on every node, clients included ({@link #FACTORY}).
 */
abstract class WireMessage implements Message {
    private static final long serialVersionUID = 1L;

    /** Direct types, far above Ignite's own (which stay below 1,000). */
    static final short JOB_TYPE = 16_001;
    static final short REPLY_TYPE = 16_002;
    static final short CANCEL_TYPE = 16_003;

    /** Registers the search messages with Ignite's message factory (a plugin extension). */
    static final MessageFactoryProvider FACTORY = f -> {
        f.register(JOB_TYPE, NodeJob::new);
        f.register(REPLY_TYPE, NodeReply::new);
        f.register(CANCEL_TYPE, NodeCancel::new);
    };

    /** One field: how it is written (false: the buffer is full, write it again) and read. */
    static final class Field<M> {
        final BiPredicate<M, MessageWriter> write;
        final BiConsumer<M, MessageReader> read;

        Field(BiPredicate<M, MessageWriter> write, BiConsumer<M, MessageReader> read) {
            this.write = write;
            this.read = read;
        }
    }

    /** @return this message's fields, in wire order (the same array for every message of the class). */
    abstract Field<WireMessage>[] fields();

    /** Called once every field was read. */
    void onRead() {
    }

    @Override public boolean writeTo(ByteBuffer buf, MessageWriter w) {
        w.setBuffer(buf);
        Field<WireMessage>[] f = fields();
        if (!w.isHeaderWritten()) {
            if (!w.writeHeader(directType(), (byte)f.length))
                return false;
            w.onHeaderWritten();
        }
        for (int i = w.state(); i < f.length; i++) {
            if (!f[i].write.test(this, w))
                return false;
            w.incrementState();
        }
        return true;
    }

    @Override public boolean readFrom(ByteBuffer buf, MessageReader r) {
        r.setBuffer(buf);
        if (!r.beforeMessageRead())
            return false;
        Field<WireMessage>[] f = fields();
        for (int i = r.state(); i < f.length; i++) {
            f[i].read.accept(this, r);
            if (!r.isLastRead())
                return false;
            r.incrementState();
        }
        if (!r.afterMessageRead(getClass()))
            return false;
        onRead();
        return true;
    }

    @Override public byte fieldsCount() {
        return (byte)fields().length;
    }

    @Override public void onAckReceived() {
        // Nothing to do: search messages are not acknowledged.
    }

    /** @return the fields of {@code M}, typed for {@link #fields}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    @SafeVarargs
    static <M extends WireMessage> Field<WireMessage>[] fieldsOf(Field<M>... f) {
        return (Field[])f;
    }
}
