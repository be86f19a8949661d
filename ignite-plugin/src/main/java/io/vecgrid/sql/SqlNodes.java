package io.vecgrid.sql;

import io.vecgrid.api.VecgridException;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteIllegalStateException;
import org.apache.ignite.Ignition;

/** Finds the node a SQL function runs on. */
final class SqlNodes {
    private SqlNodes() {
    }

    /**
     * @return the Ignite node whose thread calls this: SQL functions run in a node's query, client-connector or
     *      Calcite threads, which name their node.
     */
    static Ignite localIgnite() {
        try {
            return Ignition.localIgnite();
        }
        catch (IgniteIllegalStateException e) {
            throw new VecgridException("vecgrid SQL functions must run inside an Ignite node with the vecgrid plugin: " +
                e.getMessage(), e);
        }
    }
}
