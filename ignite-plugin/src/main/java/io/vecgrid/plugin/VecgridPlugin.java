package io.vecgrid.plugin;

import io.vecgrid.Vecgrid;
import org.apache.ignite.plugin.IgnitePlugin;

/** The object {@code ignite.plugin("vecgrid")} returns: gives this node's {@link Vecgrid}. */
public final class VecgridPlugin implements IgnitePlugin {
    private volatile Vecgrid vecgrid;

    void vecgrid(Vecgrid vecgrid) {
        this.vecgrid = vecgrid;
    }

    /** @return this node's vecgrid, or {@code null} while the node is starting. */
    public Vecgrid vecgrid() {
        return vecgrid;
    }
}
