#!/usr/bin/env node
// vecgrid from Node.js: the k nearest rows of a collection through SQL, served by vecgrid's replica router.
// The Node.js thin client (apache-ignite-client) has SQL but no compute: collections are created with the CLI or a
// Java client and written with SQL DML (write.js) or any client; this script reads them.
//
//   npm install                       (once, in this directory)
//   node topk.js --collection docs --vector "[0.1, 0.2, 0.3, 0.4]" [--k 5] [--filter "cat == 1"] [--ef 64]
//                [--endpoints 127.0.0.1:10800,127.0.0.1:10801] [--engine h2|calcite] [--json]
//
// It runs the router-backed top-k statement in both shapes (docs/sql.md): the H2 array form (default engine only)
// and the portable per-position form (H2 and Calcite), prints the hits, and exits 1 if the two disagree.
'use strict';

const IgniteClient = require('apache-ignite-client');
const IgniteClientConfiguration = IgniteClient.IgniteClientConfiguration;
const SqlFieldsQuery = IgniteClient.SqlFieldsQuery;

function parseArgs(argv) {
    const opts = {collection: 'docs', k: 5, filter: '', ef: 0, endpoints: '127.0.0.1:10800', engine: 'h2', json: false};
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const next = () => {
            if (i + 1 >= argv.length)
                throw new Error(a + ' needs a value');
            return argv[++i];
        };
        switch (a) {
            case '--collection': opts.collection = next(); break;
            case '--vector': opts.vector = next(); break;
            case '--k': opts.k = parseInt(next(), 10); break;
            case '--filter': opts.filter = next(); break;
            case '--ef': opts.ef = parseInt(next(), 10); break;
            case '--endpoints': opts.endpoints = next(); break;
            case '--engine': opts.engine = next().toLowerCase(); break;
            case '--json': opts.json = true; break;
            default: throw new Error('unknown option ' + a);
        }
    }
    if (!opts.vector)
        throw new Error('--vector "[x1, x2, ...]" is required');
    if (!(opts.k >= 1))
        throw new Error('--k must be at least 1');
    return opts;
}

// SQL string literal.
function lit(s) {
    return "'" + String(s).replace(/'/g, "''") + "'";
}

// Table names are collection names in upper case, in schema VECGRID.
function table(collection) {
    return collection.toUpperCase();
}

// H2 only: the router's hits as a table of arrays, joined with the collection's table by primary key.
function h2Statement(o) {
    const args = `${lit(o.collection)}, ?, ${o.k}, ${lit(o.filter)}, ${o.ef}`;
    return `SELECT a.*, t.DIST FROM TABLE(ID BIGINT = TOPK_IDS(${args}), DIST DOUBLE = TOPK_DISTS(${args})) t ` +
        `JOIN ${table(o.collection)} a ON a.ID = t.ID ORDER BY t.DIST`;
}

// H2 and Calcite: positions 1..k drive per-position functions; the join names primary key and shard.
function portableStatement(o) {
    const args = `${lit(o.collection)}, ?, ${o.k}, ${lit(o.filter)}, ${o.ef}, r.X`;
    // The Node.js client picks the engine with a hint (the default engine is H2).
    const hint = o.engine === 'calcite' ? "QUERY_ENGINE('calcite'), CNL_JOIN" : 'CNL_JOIN';
    return `SELECT /*+ ${hint} */ a.*, TOPK_DIST(${args}) AS DIST FROM SYSTEM_RANGE(1, ${o.k}) r ` +
        `JOIN ${table(o.collection)} a ON a.ID = TOPK_ID(${args}) AND a._SHARD = TOPK_SHARD(${args}) ORDER BY r.X`;
}

async function query(client, sql, vector) {
    const params = (sql.match(/\?/g) || []).length;
    // Any cache name will do: the schema decides where the tables and functions are.
    const cursor = await client.getCache('vecgrid-collections').query(
        new SqlFieldsQuery(sql).setSchema('VECGRID').setArgs(...Array(params).fill(vector)).setIncludeFieldNames(true));
    const names = cursor.getFieldNames();
    const rows = await cursor.getAll();
    return rows.map(r => {
        const o = {};
        names.forEach((n, i) => {
            const v = r[i];
            // BIGINT values arrive as numbers; the float[] vector as an array.
            o[n] = Array.isArray(v) ? '[' + v.join(', ') + ']' : v;
        });
        return o;
    });
}

async function main() {
    const o = parseArgs(process.argv.slice(2));
    const client = new IgniteClient();
    try {
        await client.connect(new IgniteClientConfiguration(...o.endpoints.split(',')));
        const shapes = [];
        if (o.engine !== 'calcite')
            shapes.push(['h2-array', h2Statement(o)]);
        shapes.push([o.engine + '-portable', portableStatement(o)]);
        const results = [];
        for (const [name, sql] of shapes) {
            const rows = await query(client, sql, o.vector);
            results.push(rows);
            if (o.json)
                console.log(JSON.stringify({shape: name, rows: rows.map(r => ({id: Number(r.ID), dist: r.DIST}))}));
            else {
                console.log(`${name}: ${rows.length} hits`);
                for (const r of rows) {
                    const fields = Object.keys(r).filter(n => n !== 'VECTOR' && n !== 'DIST' && n !== '_SHARD')
                        .map(n => `${n}=${r[n]}`).join(' ');
                    console.log(`  ${fields} DIST=${r.DIST}`);
                }
            }
        }
        // Equal distances may come in either order: compare the hits as sets of (distance, id).
        const ids = results.map(rows => rows.map(r => r.DIST + ':' + r.ID).sort().join(','));
        if (ids.some(x => x !== ids[0])) {
            console.error('the shapes disagree: ' + JSON.stringify(ids));
            process.exitCode = 1;
        }
    }
    finally {
        client.disconnect();
    }
}

main().catch(err => {
    console.error('vecgrid top-k failed: ' + (err && err.message ? err.message : err));
    process.exitCode = 2;
});
