-- typed_columns: a value that a typed customers column cannot hold is a
-- problem of its event (or its Customer Data API customer) alone, decided
-- at validation (column_mismatch), never a cast error that aborts the
-- whole load (attack D11); a column whose values cannot be checked is
-- refused as a profile column.
\set SHOW_CONTEXT never

-- the README's recipe: add a column, rebuild the merge, map a param to it
ALTER TABLE event_catalog.customers ADD COLUMN loyalty integer,
	ADD COLUMN score numeric(4,1), ADD COLUMN nick varchar(5),
	ADD COLUMN ratio real, ADD COLUMN seen_at timestamptz;
SELECT event_catalog.build_profile_functions();
SELECT event_catalog.define_event('{"event": "loyalty_update", "requires_customer": true, "params": [
	{"key": "points", "type": "number", "profile_attribute": "loyalty"},
	{"key": "score", "type": "number", "profile_attribute": "score"},
	{"key": "nick", "type": "string", "profile_attribute": "nick"},
	{"key": "ratio", "type": "number", "profile_attribute": "ratio"}]}');

-- under quarantine, only the events whose values do not fit are refused
SET event_catalog.on_invalid = quarantine;
INSERT INTO event_catalog.events (payload) VALUES
 ('{"tenant": 605, "timestamp": "2026-06-01T10:00:00Z", "event": "loyalty_update", "customer": "l1", "context": {"points": 10, "score": 999.94, "nick": "ann", "ratio": 0.5}}'),
 ('{"tenant": 605, "timestamp": "2026-06-01T10:00:01Z", "event": "loyalty_update", "customer": "l2", "context": {"points": 1.5}}'),
 ('{"tenant": 605, "timestamp": "2026-06-01T10:00:02Z", "event": "loyalty_update", "customer": "l3", "context": {"points": 3000000000}}'),
 ('{"tenant": 605, "timestamp": "2026-06-01T10:00:03Z", "event": "loyalty_update", "customer": "l4", "context": {"score": 999.96}}'),
 ('{"tenant": 605, "timestamp": "2026-06-01T10:00:04Z", "event": "loyalty_update", "customer": "l5", "context": {"nick": "toolong"}}'),
 ('{"tenant": 605, "timestamp": "2026-06-01T10:00:05Z", "event": "loyalty_update", "customer": "l6", "context": {"ratio": 1e39}}'),
 ('{"tenant": 605, "timestamp": "2026-06-01T10:00:06Z", "event": "loyalty_update", "customer": "l7", "context": {"points": 2.0, "nick": ""}}');
SELECT customer_id, problems->0->>'code' AS code, problems->0->>'path' AS path, problems->0->>'message' AS message
FROM event_catalog.rejected_events WHERE tenant = 605 ORDER BY customer_id;
SELECT customer_id, loyalty, score, nick, ratio FROM event_catalog.customers WHERE tenant = 605 ORDER BY 1;

-- under error, the statement fails naming the column and the value
RESET event_catalog.on_invalid;
INSERT INTO event_catalog.events (payload) VALUES
 ('{"tenant": 605, "timestamp": "2026-06-01T11:00:00Z", "event": "loyalty_update", "customer": "l8", "context": {"points": 1.5}}');
SELECT event_catalog.track('{"tenant": 605, "timestamp": "2026-06-01T11:00:01Z", "event": "loyalty_update", "customer": "l8", "context": {"points": 2147483648}}') IS NOT NULL AS tracked;
SELECT event_catalog.is_valid_event('{"tenant": 605, "timestamp": "2026-06-01T11:00:01Z", "event": "loyalty_update", "customer": "l8", "context": {"points": 7.25}}');

-- upsert_customers: that customer is rejected, the others applied; a custom
-- attribute named after a typed column is checked against it too
SELECT * FROM event_catalog.upsert_customers(605, '[
	{"customer_id": "l1", "attributes": {"city": "ok", "loyalty": 11}},
	{"customer_id": "l9", "attributes": {"loyalty": "lots"}},
	{"customer_id": "l10", "attributes": {"seen_at": "yesterday", "city": "kept?"}},
	{"customer_id": "l11", "attributes": {"seen_at": "2026-06-01T10:00:00Z", "nick": "bob"}},
	{"customer_id": "l12", "attributes": {"date_of_birth": "1990-02-30"}},
	{"customer_id": "l13", "attributes": {"allow_sms": "maybe"}}]');
SELECT customer_id, loyalty, nick, seen_at, attributes FROM event_catalog.customers
WHERE tenant = 605 AND customer_id IN ('l1', 'l9', 'l10', 'l11', 'l12', 'l13') ORDER BY 1;

-- the code is in the registry
SELECT code, severity FROM event_catalog.problem_codes() WHERE code = 'column_mismatch';

-- a column whose values validation cannot check is refused, by the merge
-- rebuild and by define_event (no CHECK constraint: still refused)
ALTER TABLE event_catalog.customers ADD COLUMN token uuid;
SELECT event_catalog.build_profile_functions();
SELECT event_catalog.define_event('{"event": "token_update", "params": [{"key": "token", "type": "string", "profile_attribute": "token"}]}');
ALTER TABLE event_catalog.customers DROP COLUMN token;

-- the catalog cache follows customers' columns: without the column, the
-- value is a custom attribute again
ALTER TABLE event_catalog.customers DROP COLUMN nick;
SELECT event_catalog.build_profile_functions();
SELECT * FROM event_catalog.upsert_customers(605, '[{"customer_id": "l14", "attributes": {"nick": "a long nickname"}}]');

-- clean up
DELETE FROM event_catalog.events WHERE tenant = 605;
DELETE FROM event_catalog.rejected_events WHERE tenant = 605;
DELETE FROM event_catalog.customer_updates WHERE tenant = 605;
DELETE FROM event_catalog.customers WHERE tenant = 605;
SELECT event_catalog.drop_event('loyalty_update');
ALTER TABLE event_catalog.customers DROP COLUMN loyalty, DROP COLUMN score,
	DROP COLUMN ratio, DROP COLUMN seen_at;
SELECT event_catalog.build_profile_functions();
