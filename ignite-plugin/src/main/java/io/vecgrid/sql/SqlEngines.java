package io.vecgrid.sql;

import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteLogger;
import org.apache.ignite.cache.query.SqlFieldsQuery;
import org.apache.ignite.internal.IgniteEx;
import org.apache.ignite.internal.processors.cache.query.SqlFieldsQueryEx;
import org.apache.ignite.internal.processors.query.GridQueryCancel;
import org.apache.ignite.internal.processors.query.GridQueryIndexing;
import org.apache.ignite.internal.processors.query.GridQueryProcessor;
import org.apache.ignite.internal.processors.query.QueryContext;
import org.apache.ignite.internal.processors.query.QueryEngine;
import org.apache.ignite.internal.processors.query.QueryProperties;
import org.apache.ignite.internal.processors.query.SqlClientContext;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;

/**
 * DML on collection tables under Ignite's other SQL engines (Calcite): a statement that writes a collection table
 * is handed to vecgrid's H2 indexing ({@link VecgridH2Indexing}), which carries it out through the write path exactly
 * as under H2; every other statement runs on the engine it was sent to. Installed when vecgrid starts on a node, by
 * wrapping each configured engine other than H2 in Ignite's query processor (its private engine fields: Ignite has
 * no hook for this).
 */
public final class SqlEngines {
    private SqlEngines() {
    }

    /** Wraps the node's non-H2 query engines; idempotent; logs and leaves them if Ignite's fields moved. */
    public static void install(Ignite ignite) {
        IgniteLogger log = ignite.log().getLogger(SqlEngines.class);
        GridQueryProcessor qp = ((IgniteEx)ignite).context().query();
        GridQueryIndexing idx;
        try {
            idx = qp.getIndexing();
        }
        catch (RuntimeException e) {
            return; // No H2 engine on this node.
        }
        if (!(idx instanceof VecgridH2Indexing))
            return;
        VecgridH2Indexing h2 = (VecgridH2Indexing)idx;
        try {
            Field enginesField = GridQueryProcessor.class.getDeclaredField("qryEngines");
            Field dfltField = GridQueryProcessor.class.getDeclaredField("dfltQryEngine");
            enginesField.setAccessible(true);
            dfltField.setAccessible(true);
            QueryEngine[] engines = (QueryEngine[])enginesField.get(qp);
            QueryEngine dflt = (QueryEngine)dfltField.get(qp);
            if (engines == null)
                return;
            for (int i = 0; i < engines.length; i++) {
                QueryEngine e = engines[i];
                if (e == null || Proxy.isProxyClass(e.getClass()))
                    continue;
                QueryEngine wrapped = wrap(e, h2);
                engines[i] = wrapped;
                if (dflt == e)
                    dfltField.set(qp, wrapped);
            }
        }
        catch (ReflectiveOperationException | RuntimeException e) {
            log.warning("vecgrid: cannot route SQL DML on collection tables from Ignite's non-H2 query engines " +
                "(Calcite) through vecgrid's write path on this node: " + e, e);
        }
    }

    private static QueryEngine wrap(QueryEngine engine, VecgridH2Indexing h2) {
        InvocationHandler handler = (proxy, m, args) -> {
            if (args != null && args.length == 4 && args[0] instanceof QueryContext && args[2] instanceof String) {
                String schema = (String)args[1];
                String sql = (String)args[2];
                if ("query".equals(m.getName())) {
                    Object[] params = (Object[])args[3];
                    if (runsOnH2(sql) || h2.writesCollection(schema, sql, params))
                        return viaH2(h2, (QueryContext)args[0], schema, new SqlFieldsQuery(sql).setArgs(params));
                }
                else if ("queryBatched".equals(m.getName())) {
                    @SuppressWarnings("unchecked") List<Object[]> batched = (List<Object[]>)args[3];
                    if (h2.writesCollection(schema, sql, batched.isEmpty() ? null : batched.get(0))) {
                        SqlFieldsQueryEx q = new SqlFieldsQueryEx(sql, false);
                        for (Object[] a : batched)
                            q.addBatchedArgs(a);
                        return viaH2(h2, (QueryContext)args[0], schema, q);
                    }
                }
            }
            return invoke(engine, m, args);
        };
        return (QueryEngine)Proxy.newProxyInstance(SqlEngines.class.getClassLoader(),
            allInterfaces(engine.getClass()), handler);
    }

    /**
     * @return whether {@code sql} must run under H2 whatever engine it was sent to: it calls a vecgrid function that
     *      changes collections (Calcite could evaluate such a call once, when planning, and reuse the plan), or the
     *      table function {@code VECGRID_SEARCH} (Calcite 2.17 has no user-defined table functions).
     */
    static boolean runsOnH2(String sql) {
        return CollectionFunctions.WRITING_CALL.matcher(sql).find() || SEARCH_CALL.matcher(sql).find();
    }

    /** A call of the table function {@code VECGRID_SEARCH}, which only H2 can run. */
    private static final java.util.regex.Pattern SEARCH_CALL =
        java.util.regex.Pattern.compile("\\bVECGRID_SEARCH\\s*\\(", java.util.regex.Pattern.CASE_INSENSITIVE);

    private static Object viaH2(VecgridH2Indexing h2, QueryContext ctx, String schema, SqlFieldsQuery q) {
        QueryProperties props = ctx.unwrap(QueryProperties.class);
        GridQueryCancel cancel = ctx.unwrap(GridQueryCancel.class);
        q.setSchema(schema);
        return h2.querySqlFields(schema, q, ctx.unwrap(SqlClientContext.class), props == null || props.keepBinary(),
            props != null && props.isFailOnMultipleStmts(), cancel == null ? new GridQueryCancel() : cancel);
    }

    private static Object invoke(Object target, Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        }
        catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static Class<?>[] allInterfaces(Class<?> cls) {
        java.util.LinkedHashSet<Class<?>> res = new java.util.LinkedHashSet<>();
        for (Class<?> c = cls; c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces())
                res.add(i);
        }
        res.add(QueryEngine.class);
        return res.toArray(new Class<?>[0]);
    }
}
