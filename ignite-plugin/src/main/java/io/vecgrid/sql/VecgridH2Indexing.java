package io.vecgrid.sql;

import io.vecgrid.Vecgrid;
import io.vecgrid.shard.LocsInterceptor;
import org.apache.ignite.IgniteCheckedException;
import org.apache.ignite.IgniteDataStreamer;
import org.apache.ignite.cache.query.FieldsQueryCursor;
import org.apache.ignite.cache.query.SqlFieldsQuery;
import org.apache.ignite.configuration.CacheConfiguration;
import org.apache.ignite.internal.processors.cache.QueryCursorImpl;
import org.apache.ignite.internal.processors.cache.query.IgniteQueryErrorCode;
import org.apache.ignite.internal.processors.query.GridQueryCancel;
import org.apache.ignite.internal.processors.query.IgniteSQLException;
import org.apache.ignite.internal.processors.query.SqlClientContext;
import org.apache.ignite.internal.processors.query.h2.H2Utils;
import org.apache.ignite.internal.processors.query.h2.IgniteH2Indexing;
import org.apache.ignite.internal.processors.query.h2.QueryParserResult;
import org.apache.ignite.internal.processors.query.h2.QueryParserResultDml;
import org.apache.ignite.internal.processors.query.h2.dml.DmlAstUtils;
import org.apache.ignite.internal.processors.query.h2.dml.UpdatePlan;
import org.apache.ignite.internal.processors.query.h2.opt.GridH2Table;
import org.apache.ignite.internal.processors.query.h2.sql.GridSqlColumn;
import org.apache.ignite.internal.processors.query.h2.sql.GridSqlDelete;
import org.apache.ignite.internal.processors.query.h2.sql.GridSqlElement;
import org.apache.ignite.internal.processors.query.h2.sql.GridSqlInsert;
import org.apache.ignite.internal.processors.query.h2.sql.GridSqlMerge;
import org.apache.ignite.internal.processors.query.h2.sql.GridSqlStatement;
import org.apache.ignite.internal.processors.query.h2.sql.GridSqlUpdate;
import org.apache.ignite.internal.sql.command.SqlBulkLoadCommand;
import org.apache.ignite.internal.sql.command.SqlCommand;

import java.sql.BatchUpdateException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ignite's H2 engine with vecgrid's write path under SQL DML on collection tables. Every statement is parsed by
 * Ignite's own parser; a statement that writes a collection's table ({@code INSERT}, {@code MERGE}, {@code UPDATE},
 * {@code DELETE}) is carried out by {@link SqlDml} (Ignite evaluates its values and its {@code WHERE} clause, vecgrid
 * writes), and forms that cannot go through the write path are refused with an SQL error that says what to use:
 * {@code COPY} and JDBC streaming ({@code SET STREAMING ON}), which load through a data streamer. Every other
 * statement, and every statement on other tables, runs exactly as in {@link IgniteH2Indexing}.
 *
 * <p>Installed by the plugin ({@code VecgridPluginProvider}) as the node's indexing, through
 * {@code GridQueryProcessor.idxCls}, Ignite's own switch for the indexing class. Without vecgrid running on the node
 * (or on a node without the plugin that picked the class up) statements on collection tables are refused rather than
 * written around vecgrid.
 */
public class VecgridH2Indexing extends IgniteH2Indexing {
    /** Target table of a DML statement Ignite's parser refused (to name the collection's columns in the error). */
    private static final Pattern DML_TARGET = Pattern.compile(
        "^\\s*(?:INSERT\\s+INTO|MERGE\\s+INTO|UPDATE|DELETE\\s+FROM)\\s+((?:\"?\\w+\"?\\.)?\"?\\w+\"?)",
        Pattern.CASE_INSENSITIVE);
    private static final Pattern MISSING_COLUMN = Pattern.compile("Column \"([^\"]+)\" not found");

    @Override public List<FieldsQueryCursor<List<?>>> querySqlFields(String schemaName, SqlFieldsQuery qry,
        SqlClientContext cliCtx, boolean keepBinary, boolean failOnMultipleStmts, GridQueryCancel cancel) {
        List<FieldsQueryCursor<List<?>>> res = new ArrayList<>(1);
        SqlFieldsQuery remaining = qry;
        while (remaining != null) {
            SqlFieldsQuery cur = remaining;
            QueryParserResult parsed;
            try {
                parsed = parser().parse(schemaName, cur, !failOnMultipleStmts);
            }
            catch (IgniteSQLException e) {
                throw explainParseError(schemaName, cur.getSql(), e);
            }
            remaining = parsed.remainingQuery();
            GridH2Table tbl = writtenCollectionTable(parsed);
            if (tbl == null) {
                if (remaining == null && cur == qry) // A single statement: Ignite's path, untouched.
                    return super.querySqlFields(schemaName, qry, cliCtx, keepBinary, failOnMultipleStmts, cancel);
                SqlFieldsQuery one = cur.copy().setSql(parsed.queryDescriptor().sql())
                    .setArgs(parsed.queryParameters().arguments());
                res.addAll(super.querySqlFields(schemaName, one, cliCtx, keepBinary, true, cancel));
            }
            else
                res.addAll(executeCollectionDml(schemaName, parsed, tbl, cliCtx, cancel));
        }
        return res;
    }

    /**
     * @return whether {@code sql} (one statement or several) writes a collection table, as Ignite's H2 parser reads
     *      it; {@code false} if that parser cannot read it.
     * @throws IgniteSQLException for a {@code COPY} into a collection table (refused).
     */
    boolean writesCollection(String schemaName, String sql, Object[] params) {
        SqlFieldsQuery remaining = new SqlFieldsQuery(sql).setSchema(schemaName).setArgs(params);
        try {
            while (remaining != null) {
                QueryParserResult parsed = parser().parse(schemaName, remaining, true);
                if (writtenCollectionTable(parsed) != null)
                    return true;
                remaining = parsed.remainingQuery();
            }
            return false;
        }
        catch (IgniteSQLException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("COPY into collection table"))
                throw e;
            return false;
        }
        catch (RuntimeException e) {
            return false;
        }
    }

    /** JDBC streaming ({@code SET STREAMING ON}) loads through a data streamer, around the write path: refused. */
    @Override public long streamUpdateQuery(String schemaName, String qry, Object[] params,
        IgniteDataStreamer<?, ?> streamer, String qryInitiatorId) throws IgniteCheckedException {
        refuseStreaming(schemaName, qry);
        return super.streamUpdateQuery(schemaName, qry, params, streamer, qryInitiatorId);
    }

    /** See {@link #streamUpdateQuery}. */
    @Override public List<Long> streamBatchedUpdateQuery(String schemaName, String qry, List<Object[]> params,
        SqlClientContext cliCtx, String qryInitiatorId) throws IgniteCheckedException {
        refuseStreaming(schemaName, qry);
        return super.streamBatchedUpdateQuery(schemaName, qry, params, cliCtx, qryInitiatorId);
    }

    private void refuseStreaming(String schemaName, String sql) {
        QueryParserResult parsed = parser().parse(schemaName, new SqlFieldsQuery(sql), false);
        GridH2Table tbl = writtenCollectionTable(parsed);
        if (tbl != null) {
            throw new IgniteSQLException("JDBC streaming (SET STREAMING ON) into collection table " +
                tbl.getSchema().getName() + "." + tbl.getName() + " is not supported: it loads through a data " +
                "streamer, around vecgrid's write path. Turn streaming off (SET STREAMING OFF) and use INSERT with " +
                "batches (addBatch/executeBatch) or multi-row VALUES, or the API's insert",
                IgniteQueryErrorCode.UNSUPPORTED_OPERATION);
        }
    }

    /**
     * @return the collection table {@code parsed} writes, or {@code null} if it writes none.
     * @throws IgniteSQLException for a {@code COPY} into a collection table (refused).
     */
    private GridH2Table writtenCollectionTable(QueryParserResult parsed) {
        if (parsed.isDml()) {
            QueryParserResultDml dml = parsed.dml();
            GridH2Table tbl = DmlAstUtils.gridTableForElement(target(dml.statement())).dataTable();
            return isCollectionTable(tbl) ? tbl : null;
        }
        if (parsed.isCommand()) {
            SqlCommand cmd = parsed.command().commandNative();
            if (cmd instanceof SqlBulkLoadCommand) {
                SqlBulkLoadCommand copy = (SqlBulkLoadCommand)cmd;
                GridH2Table tbl = schemaManager().dataTable(copy.schemaName(), copy.tableName());
                if (tbl != null && isCollectionTable(tbl)) {
                    throw new IgniteSQLException("COPY into collection table " + copy.schemaName() + "." +
                        copy.tableName() + " is not supported: COPY loads through a data streamer, around vecgrid's " +
                        "write path. Use INSERT (multi-row VALUES or JDBC batches of up to maxBatchRows rows), the " +
                        "CLI's import (scripts/vecgrid import) or the API's insert",
                        IgniteQueryErrorCode.UNSUPPORTED_OPERATION);
                }
            }
        }
        return null;
    }

    private static GridSqlElement target(GridSqlStatement stmt) {
        if (stmt instanceof GridSqlInsert)
            return ((GridSqlInsert)stmt).into();
        if (stmt instanceof GridSqlMerge)
            return ((GridSqlMerge)stmt).into();
        if (stmt instanceof GridSqlUpdate)
            return ((GridSqlUpdate)stmt).target();
        if (stmt instanceof GridSqlDelete)
            return ((GridSqlDelete)stmt).from();
        throw new IgniteSQLException("unexpected DML statement " + stmt.getClass().getSimpleName(),
            IgniteQueryErrorCode.UNEXPECTED_OPERATION);
    }

    /** @return whether {@code tbl} is a collection's table: its cache is a locations cache. */
    static boolean isCollectionTable(GridH2Table tbl) {
        CacheConfiguration<?, ?> cfg = tbl.cacheInfo() == null ? null : tbl.cacheInfo().config();
        return cfg != null && cfg.getInterceptor() instanceof LocsInterceptor;
    }

    private List<FieldsQueryCursor<List<?>>> executeCollectionDml(String schemaName, QueryParserResult parsed,
        GridH2Table tbl, SqlClientContext cliCtx, GridQueryCancel cancel) {
        Vecgrid vg = Vecgrid.localOrNull(kernalContext().grid());
        if (vg == null) {
            throw new IgniteSQLException("vecgrid is not running on this node, so it cannot write collection table " +
                tbl.getName() + "; retry, or connect to another node", IgniteQueryErrorCode.UNSUPPORTED_OPERATION);
        }
        if (!vg.enterOperation()) {
            throw new IgniteSQLException("this node is stopping and takes no new writes; retry on another node",
                IgniteQueryErrorCode.UNSUPPORTED_OPERATION);
        }
        try {
            SqlDml dml = SqlDml.forTable(vg, tbl.getName());
            List<Object[]> argss = parsed.queryDescriptor().batched() ?
                parsed.queryParameters().batchedArguments() :
                Collections.singletonList(parsed.queryParameters().arguments());
            List<FieldsQueryCursor<List<?>>> res = new ArrayList<>(argss.size());
            List<Long> counts = new ArrayList<>(argss.size());
            for (Object[] args : argss) {
                long n;
                try {
                    n = executeOne(schemaName, parsed.dml(), dml, args == null ? new Object[0] : args, cliCtx, cancel);
                }
                catch (RuntimeException e) {
                    IgniteSQLException err = SqlDml.sqlError(e);
                    if (!parsed.queryDescriptor().batched())
                        throw err;
                    int[] done = new int[argss.size()];
                    Arrays.fill(done, Statement.EXECUTE_FAILED);
                    for (int i = 0; i < counts.size(); i++)
                        done[i] = counts.get(i).intValue();
                    BatchUpdateException batch = new BatchUpdateException(err.getMessage(), err.sqlState(),
                        err.statusCode(), done, err);
                    throw new IgniteSQLException(err.getMessage(), err.statusCode(), batch);
                }
                counts.add(n);
                QueryCursorImpl<List<?>> cur = new QueryCursorImpl<>(
                    Collections.singletonList(Collections.singletonList(n)), cancel, false, false);
                cur.fieldsMeta(H2Utils.UPDATE_RESULT_META);
                res.add(cur);
            }
            return res;
        }
        finally {
            vg.exitOperation();
        }
    }

    /** @return rows changed by one execution of {@code stmt} with {@code args}. */
    private long executeOne(String schemaName, QueryParserResultDml parsed, SqlDml dml, Object[] args,
        SqlClientContext cliCtx, GridQueryCancel cancel) {
        GridSqlStatement stmt = parsed.statement();
        UpdatePlan plan = parsed.plan();
        if (stmt instanceof GridSqlInsert || stmt instanceof GridSqlMerge) {
            boolean merge = stmt instanceof GridSqlMerge;
            GridSqlColumn[] cols = merge ? ((GridSqlMerge)stmt).columns() : ((GridSqlInsert)stmt).columns();
            String[] names = new String[cols.length];
            for (int i = 0; i < cols.length; i++)
                names[i] = cols[i].columnName();
            List<List<?>> rows;
            if (plan.hasRows()) {
                try {
                    rows = plan.createRows(args);
                }
                catch (IgniteCheckedException e) {
                    throw new IgniteSQLException(e.getMessage(), IgniteQueryErrorCode.UNKNOWN, e);
                }
            }
            else
                rows = select(schemaName, plan.selectQuery(), args, cliCtx, cancel);
            return dml.insert(names, rows, merge);
        }
        if (stmt instanceof GridSqlUpdate) {
            GridSqlUpdate upd = (GridSqlUpdate)stmt;
            String[] names = new String[upd.cols().size()];
            for (int i = 0; i < names.length; i++)
                names[i] = upd.cols().get(i).columnName();
            List<List<?>> matched = select(schemaName, DmlAstUtils.selectForUpdate(upd).getSQL(), args, cliCtx, cancel);
            List<Long> pks = new ArrayList<>(matched.size());
            List<List<?>> values = new ArrayList<>(matched.size());
            for (List<?> r : matched) {
                pks.add(SqlDml.pkOfKey(r.get(0)));
                values.add(r.subList(2, r.size()));
            }
            return dml.update(names, pks, values);
        }
        GridSqlDelete del = (GridSqlDelete)stmt;
        List<List<?>> matched = select(schemaName, DmlAstUtils.selectForDelete(del).getSQL(), args, cliCtx, cancel);
        List<Long> pks = new ArrayList<>(matched.size());
        for (List<?> r : matched)
            pks.add(SqlDml.pkOfKey(r.get(0)));
        return pks.isEmpty() ? 0 : dml.delete(pks);
    }

    /** @return every row of a SELECT run as Ignite runs any query (binary objects kept). */
    private List<List<?>> select(String schemaName, String sql, Object[] args, SqlClientContext cliCtx,
        GridQueryCancel cancel) {
        SqlFieldsQuery q = new SqlFieldsQuery(sql).setSchema(schemaName).setArgs(args);
        List<List<?>> rows = new ArrayList<>();
        for (FieldsQueryCursor<List<?>> c : super.querySqlFields(schemaName, q, cliCtx, true, true, cancel)) {
            for (List<?> r : c)
                rows.add(r);
        }
        return rows;
    }

    /**
     * A DML statement on a collection table that Ignite's parser refused for an unknown column: the message names
     * the collection's columns, as the API names its fields.
     */
    private RuntimeException explainParseError(String schemaName, String sql, IgniteSQLException e) {
        Matcher col = MISSING_COLUMN.matcher(String.valueOf(e.getMessage()));
        Matcher target = DML_TARGET.matcher(sql);
        if (!col.find() || !target.find())
            return e;
        String name = target.group(1).replace("\"", "");
        int dot = name.lastIndexOf('.');
        String schema = dot < 0 ? schemaName : name.substring(0, dot);
        String table = (dot < 0 ? name : name.substring(dot + 1)).toUpperCase(Locale.ROOT);
        GridH2Table tbl = schemaManager().dataTable(schema.toUpperCase(Locale.ROOT), table);
        Vecgrid vg = Vecgrid.localOrNull(kernalContext().grid());
        if (tbl == null || !isCollectionTable(tbl) || vg == null)
            return e;
        try {
            SqlDml dml = SqlDml.forTable(vg, tbl.getName());
            return new IgniteSQLException("unknown field '" + col.group(1) + "'; " + dml.columnsHint(),
                IgniteQueryErrorCode.COLUMN_NOT_FOUND, e);
        }
        catch (RuntimeException ignored) {
            return e;
        }
    }
}
