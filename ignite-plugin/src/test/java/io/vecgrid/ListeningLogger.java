package io.vecgrid;

import org.apache.ignite.IgniteLogger;

import java.util.function.Consumer;

/** An Ignite logger that passes everything to another one and also hands warnings and errors to a listener (tests). */
public final class ListeningLogger implements IgniteLogger {
    private final IgniteLogger delegate;
    private final Consumer<String> listener;

    public ListeningLogger(IgniteLogger delegate, Consumer<String> listener) {
        this.delegate = delegate;
        this.listener = listener;
    }

    @Override public IgniteLogger getLogger(Object ctgr) {
        return new ListeningLogger(delegate.getLogger(ctgr), listener);
    }

    @Override public void trace(String msg) {
        delegate.trace(msg);
    }

    @Override public void debug(String msg) {
        delegate.debug(msg);
    }

    @Override public void info(String msg) {
        delegate.info(msg);
    }

    @Override public void warning(String msg, Throwable e) {
        listener.accept(msg);
        delegate.warning(msg, e);
    }

    @Override public void error(String msg, Throwable e) {
        listener.accept(msg);
        delegate.error(msg, e);
    }

    @Override public boolean isTraceEnabled() {
        return delegate.isTraceEnabled();
    }

    @Override public boolean isDebugEnabled() {
        return delegate.isDebugEnabled();
    }

    @Override public boolean isInfoEnabled() {
        return delegate.isInfoEnabled();
    }

    @Override public boolean isQuiet() {
        return delegate.isQuiet();
    }

    @Override public String fileName() {
        return delegate.fileName();
    }
}
