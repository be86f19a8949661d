// Shared by write.js and quickstart.js: command-line options and one SQL statement through the Node.js thin client.
'use strict';

const IgniteClient = require('apache-ignite-client');
const SqlFieldsQuery = IgniteClient.SqlFieldsQuery;

/** Parses "--collection NAME --endpoints LIST" over the given defaults. */
function parseArgs(argv, defaults) {
    const opts = Object.assign({}, defaults);
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (i + 1 >= argv.length)
            throw new Error(a + ' needs a value');
        switch (a) {
            case '--collection': opts.collection = argv[++i]; break;
            case '--endpoints': opts.endpoints = argv[++i]; break;
            default: throw new Error('unknown option ' + a);
        }
    }
    return opts;
}

/** Runs one statement in schema VECGRID; returns the cursor (rows through getAll, names through getFieldNames). */
async function query(client, text, ...args) {
    // Any cache name will do: the schema decides where the tables and functions are.
    return client.getCache('vecgrid-collections').query(
        new SqlFieldsQuery(text).setSchema('VECGRID').setArgs(...args).setIncludeFieldNames(true));
}

module.exports = {IgniteClient, parseArgs, query};
