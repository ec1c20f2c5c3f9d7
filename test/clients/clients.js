// clients.js: event_catalog from Node.js with node-postgres (pg) and
// pg-copy-streams, as an application and a loader use it
// (test/t/005_clients.pl runs it).  Connects with the PG* environment
// variables to a fresh database with the extension.  Prints TAP lines;
// exits non-zero on failure.  The same steps as clients.py: COPY a feed
// with quarantine on and read load_report(); track_batch, track_batch_raw
// and track_raw with per-input results; an on_invalid = error failure with
// its SQLSTATE and the JSON problem list in the error's detail.
'use strict';

const fs = require('fs');
const path = require('path');
const { pipeline } = require('stream/promises');
const { Client } = require('pg');
const { from: copyFrom } = require('pg-copy-streams');

const FEED = path.join(__dirname, 'feed.ndjson');
const COPY_SQL = "COPY event_catalog.events (raw_line) FROM STDIN " +
	"WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02', FORCE_NOT_NULL (raw_line))";

let tests = 0;
let failures = 0;

function check(ok, name, got) {
	tests++;
	console.log(`${ok ? 'ok' : 'not ok'} ${tests} - ${name}`);
	if (!ok) {
		failures++;
		console.log(`# got: ${JSON.stringify(got)}`);
	}
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

function event(customer, { tenant = 73, ts = '2026-06-09T10:00:00Z', name = 'ootb_login', context } = {}) {
	const e = { tenant, timestamp: ts, event: name, customer };
	if (context !== undefined)
		e.context = context;
	return e;
}

// run sql expecting an error; the error, or null
async function failure(client, sql, params) {
	try {
		await client.query(sql, params);
		return null;
	} catch (e) {
		return e;
	}
}

async function copyFeed(client, text) {
	const stream = client.query(copyFrom(COPY_SQL));
	await pipeline(async function* () { yield Buffer.from(text); }, stream);
	return stream.rowCount;
}

async function main() {
	// host, port, user and database from PGHOST, PGPORT, PGUSER, PGDATABASE
	const client = new Client();
	await client.connect();
	await client.query('SET event_catalog.on_invalid = quarantine');

	// a loader: COPY the feed, then what the load did
	const feed = fs.readFileSync(FEED, 'utf8').replace(/"tenant": 71/g, '"tenant": 74');
	const copied = await copyFeed(client, feed);
	check(copied === 3, 'COPY reports the 3 stored events', copied);
	const report = (await client.query('SELECT * FROM event_catalog.load_report()')).rows[0];
	check(report.lines === '7', 'load_report counts every line (bigint as a string)', report);
	check(report.stored === '2' && report.stored_with_warnings === '1', 'stored, and with a warning', report);
	check(report.duplicates === '1' && report.skipped === '1', 'one duplicate, one blank line', report);
	check(same(report.quarantined_by_code, { invalid_json: 1, invalid_value: 1 }),
		'quarantined by code, as an object', report.quarantined_by_code);
	const loadId = (await client.query('SELECT event_catalog.last_load_id() AS id')).rows[0].id;
	check(loadId === report.load_id, 'last_load_id() names the load', loadId);
	const rejected = (await client.query(
		"SELECT line_number::int AS line, problems->0->>'code' AS code FROM event_catalog.rejected_events " +
		'WHERE load_id = $1 ORDER BY line_number', [loadId])).rows;
	check(same(rejected, [{ line: 4, code: 'invalid_json' }, { line: 6, code: 'invalid_value' }]),
		'the quarantined lines carry their line numbers', rejected);

	// an application: a batch, one result per input in input order
	const batch = [event('a1'), event('a1'), event('a2', { context: { ootb_balance: 'x' } }),
		event('a3', { context: { extra: 1 } }), event('n1', { tenant: 74 })];
	const rows = (await client.query(
		'SELECT ordinal, event_id, status, problems FROM event_catalog.track_batch($1::jsonb[])', [batch])).rows;
	check(same(rows.map(r => r.status), ['stored', 'duplicate', 'quarantined', 'stored_with_warnings', 'duplicate']),
		'track_batch: a status per input, in input order', rows);
	check(rows[0].event_id !== null && rows[0].event_id === rows[1].event_id,
		'a duplicate in the batch has the stored id', rows);
	check(rows[2].event_id === null && rows[2].problems[0].code === 'wrong_type',
		'a quarantined event has its problems', rows[2]);
	const batchReport = (await client.query(
		'SELECT stored, stored_with_warnings, duplicates, quarantined FROM event_catalog.load_report()')).rows[0];
	check(same(batchReport, { stored: '1', stored_with_warnings: '1', duplicates: '2', quarantined: '1' }),
		'the batch is a load with its report', batchReport);

	const lines = [JSON.stringify(event('r1')), '{"tenant": 73, "event": ', '', JSON.stringify(event('r1'))];
	const raw = (await client.query(
		'SELECT status FROM event_catalog.track_batch_raw($1) ORDER BY ordinal', [lines])).rows;
	check(same(raw.map(r => r.status), ['stored', 'quarantined', 'skipped', 'duplicate']),
		'track_batch_raw: malformed JSON is a result, not an error', raw);
	const one = (await client.query('SELECT status, problems FROM event_catalog.track_raw($1)', ['{oops'])).rows[0];
	check(one.status === 'quarantined' && one.problems[0].code === 'invalid_json',
		'track_raw quarantines malformed JSON', one);

	// on_invalid = error: the error an application can act on
	await client.query('RESET event_catalog.on_invalid');
	let e = await failure(client, 'SELECT * FROM event_catalog.track_batch($1::jsonb[])',
		[[event('e1'), event('e2', { context: { ootb_balance: 'x', y: 1 } })]]);
	check(e !== null && e.code === '22023', 'SQLSTATE 22023 for an invalid event', e && e.code);
	check(e !== null && same(JSON.parse(e.detail).map(p => p.code), ['unknown_param', 'wrong_type']),
		'the detail is the problem list as JSON', e && e.detail);
	check(e !== null && /element 2 of the batch/.test(e.where), 'the context names the element', e && e.where);
	e = await failure(client, 'SELECT * FROM event_catalog.track_raw($1)', ['not json']);
	check(e !== null && e.code === '22P02' && JSON.parse(e.detail)[0].code === 'invalid_json',
		'22P02 with the JSON detail for malformed JSON', e && [e.code, e.detail]);
	e = await copyFeed(client, feed.replace('"n3"', '"n9"')).then(() => null, err => err);
	check(e !== null && e.code === '22P02' && JSON.parse(e.detail)[0].code === 'invalid_json',
		'COPY fails with the same error', e && [e.code, e.detail]);
	const left = (await client.query(
		"SELECT count(*)::int AS n FROM event_catalog.events WHERE customer_id IN ('e1', 'n9')")).rows[0].n;
	check(left === 0, 'nothing of a failed batch or COPY is stored', left);

	await client.end();
}

main().then(() => {
	console.log(`1..${tests}`);
	process.exit(failures ? 1 : 0);
}, err => {
	console.log(`not ok - ${err.stack}`);
	console.log(`1..${tests + 1}`);
	process.exit(1);
});
