#!/usr/bin/env node
// vecgrid from Node.js: write a collection through SQL. INSERT, MERGE, UPDATE and DELETE on a collection table go
// through vecgrid's write path (the same validation and acknowledgement as the Java API; docs/sql.md).
//
//   npm install                       (once, in this directory)
//   node write.js --collection notes [--endpoints 127.0.0.1:10800,127.0.0.1:10801]
//
// The collection must exist with dimension 2 and a LONG scalar field tag (e.g. scripts/vecgrid create notes --dim 2
// --field tag:LONG). The script runs the statements of ignite-plugin/src/test/resources/sql/dml-sqlline.sql, prints
// each statement's update count and the rows left as JSON lines, then one refused insert's error, and exits 0.
'use strict';

const {IgniteClient, parseArgs, query} = require('./sql');
const IgniteClientConfiguration = IgniteClient.IgniteClientConfiguration;

async function sql(client, text, ...args) {
    const cursor = await query(client, text, ...args);
    return cursor.getAll();
}

async function main() {
    const o = parseArgs(process.argv.slice(2), {collection: 'notes', endpoints: '127.0.0.1:10800'});
    const t = o.collection.toUpperCase();
    const c = "'" + o.collection.replace(/'/g, "''") + "'";
    const client = new IgniteClient();
    try {
        await client.connect(new IgniteClientConfiguration(...o.endpoints.split(',')));
        const statements = [
            [`INSERT INTO ${t} (ID, TAG, VECTOR) VALUES (1, 10, '[1, 0]'), (2, 20, '[2, 0]'), (3, 30, '[3, 0]'), (4, 40, '[4, 0]')`],
            [`MERGE INTO ${t} (ID, TAG, VECTOR) VALUES (2, 21, '[2, 1]'), (5, 50, '[5, 0]')`],
            [`UPDATE ${t} SET TAG = TAG + 1 WHERE ID >= ?`, 4],
            [`UPDATE ${t} SET VECTOR = ? WHERE ID = ?`, '[9, 9]', 3],
            [`DELETE FROM ${t} WHERE TAG = ?`, 10],
        ];
        for (const [text, ...args] of statements) {
            const rows = await sql(client, text, ...args);
            console.log(JSON.stringify({statement: text.split(' ')[0], updated: Number(rows[0][0])}));
        }
        const rows = await sql(client, `SELECT ID, TAG, VECTOR_OF(${c}, ID) FROM ${t} ORDER BY ID`);
        console.log(JSON.stringify({rows: rows.map(r => ({id: Number(r[0]), tag: Number(r[1]), vector: r[2]}))}));
        const hits = await sql(client, `SELECT a.ID, t.DIST FROM TABLE(ID BIGINT = TOPK_IDS(${c}, ?, 1, '', 0), ` +
            `DIST DOUBLE = TOPK_DISTS(${c}, ?, 1, '', 0)) t JOIN ${t} a ON a.ID = t.ID`, '[9, 9]', '[9, 9]');
        console.log(JSON.stringify({nearest: hits.map(r => Number(r[0]))}));
        try {
            await sql(client, `INSERT INTO ${t} (ID, VECTOR) VALUES (6, '[1, 2, 3]')`);
            console.log(JSON.stringify({refused: null}));
        }
        catch (err) {
            console.log(JSON.stringify({refused: err.message}));
        }
    }
    finally {
        client.disconnect();
    }
}

main().catch(err => {
    console.error('vecgrid write failed: ' + (err && err.message ? err.message : err));
    process.exitCode = 2;
});
