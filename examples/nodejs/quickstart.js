#!/usr/bin/env node
// vecgrid from Node.js with SQL only: create a collection, insert rows, search them, drop the collection — the same
// statements as examples/python/quickstart.py (pyignite cannot be installed on every machine; this script runs them
// through Node.js's apache-ignite-client, which the project tests).
//
//   npm install                       (once, in this directory)
//   node quickstart.js [--collection jsdocs] [--endpoints 127.0.0.1:10800,127.0.0.1:10801]
//
// Prints the created collection (JSON), the insert's update count, the two nearest rows of [9, 9] as JSON lines, and
// the dropped collection; exits 0.
'use strict';

const {IgniteClient, parseArgs, query} = require('./sql');
const IgniteClientConfiguration = IgniteClient.IgniteClientConfiguration;

async function sql(client, text, ...args) {
    const cursor = await query(client, text, ...args);
    const rows = await cursor.getAll();
    const names = cursor.getFieldNames();
    return rows.map(r => Object.fromEntries(r.map((v, i) => [names[i], typeof v === 'bigint' ? Number(v) : v])));
}

async function main() {
    const o = parseArgs(process.argv.slice(2), {collection: 'jsdocs', endpoints: '127.0.0.1:10800'});
    const c = o.collection, t = o.collection.toUpperCase();
    const client = new IgniteClient();
    try {
        await client.connect(new IgniteClientConfiguration(...o.endpoints.split(',')));
        console.log((await sql(client, "SELECT VECGRID_CREATE_COLLECTION(?, 2, 'L2', 'FLAT', 'tag:LONG', 1, 1) AS D", c))[0].D);
        const ins = await sql(client, `INSERT INTO ${t} (ID, TAG, VECTOR) VALUES (1, 10, '[1, 0]'), (2, 20, '[2, 0]'), ` +
            "(3, 30, '[9, 9]')");
        console.log(JSON.stringify({inserted: Number(Object.values(ins[0])[0])}));
        for (const row of await sql(client, `SELECT * FROM VECGRID_SEARCH('${c}', ?, 2)`, '[9, 9]'))
            console.log(JSON.stringify(row)); // {"ID":3,"DISTANCE":0,"TAG":30}, then pk 2
        console.log((await sql(client, 'SELECT VECGRID_DROP_COLLECTION(?) AS D', c))[0].D);
    }
    finally {
        client.disconnect();
    }
}

main().catch(err => {
    console.error('vecgrid quickstart failed: ' + (err && err.message ? err.message : err));
    process.exitCode = 2;
});
