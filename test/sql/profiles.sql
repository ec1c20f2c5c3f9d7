-- profiles: customer profiles from User Details Update events, last writer
-- wins per attribute by event time, history of consent, the Customer Data
-- API functions, recompute after deletes
\set SHOW_CONTEXT never

CREATE FUNCTION udu(customer text, ts text, context jsonb, tenant integer DEFAULT 20)
RETURNS bigint LANGUAGE sql AS $$
	SELECT event_catalog.track(jsonb_build_object('tenant', tenant, 'timestamp', ts,
		'event', 'ootb_user_details_update', 'customer', customer, 'context', context))
$$;

CREATE VIEW profile AS
SELECT customer_id, email, mobile_number, allow_email, allow_sms, is_test, is_blocked,
       date_of_birth, country, city, registration_status, attributes,
       created_at AT TIME ZONE 'UTC' AS created_utc, updated_at AT TIME ZONE 'UTC' AS updated_utc
FROM event_catalog.customers WHERE tenant = 20;

-- an event writes the attributes it carries; Yes/No become booleans
SELECT udu('p1', '2026-06-09T10:00:00Z', '{"ootb_email": "a@example.com", "ootb_allow_email": "Yes",
    "ootb_allow_sms": "No", "ootb_is_test": false, "ootb_date_of_birth": "1990-01-15", "ootb_country": "MT",
    "ootb_status": "Completed"}') IS NOT NULL AS stored;
SELECT * FROM profile;

-- a newer event overwrites only what it carries; "" clears; null writes nothing
SELECT udu('p1', '2026-06-09T11:00:00Z', '{"ootb_allow_email": "No", "ootb_country": "", "ootb_city": "Valletta",
    "ootb_email": null}') IS NOT NULL AS stored;
SELECT * FROM profile;

-- an older event never overwrites a newer value, but fills what is unset
SELECT udu('p1', '2026-06-09T09:00:00Z', '{"ootb_email": "old@example.com", "ootb_allow_email": "Yes",
    "ootb_mobile_number": "+356 1234"}') IS NOT NULL AS stored;
SELECT * FROM profile;

-- ties on event time are broken by content, so arrival order never matters
SELECT udu('tie', '2026-06-09T10:00:00Z', '{"ootb_city": "Mdina"}') IS NOT NULL,
       udu('tie', '2026-06-09T10:00:00Z', '{"ootb_city": "Sliema"}') IS NOT NULL;
SELECT city AS first_order FROM profile WHERE customer_id = 'tie' \gset
DELETE FROM event_catalog.events WHERE tenant = 20 AND customer_id = 'tie';
SELECT count(*) AS erased FROM profile WHERE customer_id = 'tie';
SELECT udu('tie', '2026-06-09T10:00:00Z', '{"ootb_city": "Sliema"}') IS NOT NULL,
       udu('tie', '2026-06-09T10:00:00Z', '{"ootb_city": "Mdina"}') IS NOT NULL;
SELECT city = :'first_order' AS same_winner FROM profile WHERE customer_id = 'tie';

-- a profile needs a customer: visitor-only events are refused for it
SELECT event_catalog.track('{"tenant": 20, "timestamp": "2026-06-09T10:00:00Z", "event": "ootb_user_details_update",
    "visitor": "v1", "context": {"ootb_email": "v@example.com"}}');

-- ootb_registration feeds the profile the same way
SELECT event_catalog.track('{"tenant": 20, "timestamp": "2026-06-09T08:00:00Z", "event": "ootb_registration",
    "customer": "p2", "context": {"ootb_status": "Started", "ootb_email": "p2@example.com", "ootb_allow_sms": "Yes"}}')
    IS NOT NULL AS stored;
SELECT customer_id, email, allow_sms, registration_status FROM profile WHERE customer_id = 'p2';

-- events without profile params leave profiles alone
SELECT event_catalog.track('{"tenant": 20, "timestamp": "2026-06-09T12:00:00Z", "event": "ootb_login",
    "customer": "p3", "context": {"ootb_country": "IT"}}') IS NOT NULL AS stored;
SELECT count(*) FROM profile WHERE customer_id = 'p3';

-- a custom event can feed the profile: into a column, or into attributes
SELECT event_catalog.define_event('{"event": "vip_update", "requires_customer": true, "params": [
    {"key": "tier", "type": "string", "profile_attribute": "vip_tier"},
    {"key": "home_city", "type": "string", "profile_attribute": "city"},
    {"key": "score", "type": "number", "profile_attribute": "vip_score"}]}');
SELECT event_catalog.track('{"tenant": 20, "timestamp": "2026-06-09T12:00:00Z", "event": "vip_update",
    "customer": "p1", "context": {"tier": "gold", "home_city": "Gozo", "score": 7.5}}') IS NOT NULL AS stored;
SELECT city, attributes FROM profile WHERE customer_id = 'p1';
SELECT event_catalog.track('{"tenant": 20, "timestamp": "2026-06-09T13:00:00Z", "event": "vip_update",
    "customer": "p1", "context": {"tier": ""}}') IS NOT NULL AS stored;
SELECT city, attributes FROM profile WHERE customer_id = 'p1';

-- attribute versions: event time and content digest per attribute
SELECT key, split_part(value, '|', 1) AS event_time
FROM event_catalog.customers, jsonb_each_text(attribute_versions)
WHERE tenant = 20 AND customer_id = 'p1' ORDER BY key;

-- consent and contact history, in event-time order, with the source
SELECT attribute, old_value, new_value, changed_at AT TIME ZONE 'UTC' AS changed_utc, source,
       event_id IS NOT NULL AS has_event
FROM event_catalog.customer_changes WHERE tenant = 20 AND customer_id = 'p1'
ORDER BY attribute, changed_at;

-- Customer Data API: upsert_customers, with or without the ootb_ prefix,
-- per customer inserted / updated / unchanged / rejected
SELECT * FROM event_catalog.upsert_customers(20, '[
  {"customer_id": "api1", "attributes": {"email": "api1@example.com", "ootb_allow_email": "Yes", "loyalty": 3},
   "timestamp": "2026-06-09T10:00:00Z"},
  {"customer_id": "api2", "attributes": {"allow_sms": "maybe", "first_name": 5}},
  {"customer_id": "p1", "attributes": {"allow_email": "Yes"}, "timestamp": "2026-06-09T14:00:00Z"},
  {"customer_id": "p1", "attributes": {"email": "ancient@example.com"}, "timestamp": "2000-01-01T00:00:00Z"},
  {"customer_id": "api3", "attributes": {"nested": {"a": 1}, "long": "xx"}},
  {"customer_id": "api4", "attributes": {"date_of_birth": "1999-02-30"}, "timestamp": "soon"},
  [1],
  {"attributes": {"email": "x@example.com"}}
]');
SELECT customer_id, email, allow_email, attributes, created_utc FROM profile
WHERE customer_id IN ('api1', 'p1') ORDER BY 1;
-- the same values again: unchanged
SELECT status FROM event_catalog.upsert_customers(20,
    '[{"customer_id": "api1", "attributes": {"email": "api1@example.com"}, "timestamp": "2026-06-10T10:00:00Z"}]');
-- API writes are in the consent history too
SELECT attribute, old_value, new_value, source FROM event_catalog.customer_changes
WHERE tenant = 20 AND customer_id = 'p1' AND attribute = 'allow_email' ORDER BY changed_at;

-- the legacy single call: the status, or an error naming the problem
SELECT event_catalog.upsert_customer(20, 'api5', '{"first_name": "Ann"}');
SELECT event_catalog.upsert_customer(20, 'api5', '{"first_name": "Ann"}');
SELECT event_catalog.upsert_customer(20, 'api5', '{"ootb_first_name": "Anna"}');
SELECT event_catalog.upsert_customer(20, 'api5', '{"allow_push": "yes"}');
SELECT event_catalog.upsert_customer(20, '', '{}');
SELECT event_catalog.upsert_customers(0, '[]');
SELECT event_catalog.upsert_customers(20, '{}');

-- deleting events recomputes the affected profiles from what remains
SELECT email, allow_email, country, city, mobile_number FROM profile WHERE customer_id = 'p1';
DELETE FROM event_catalog.events
WHERE tenant = 20 AND customer_id = 'p1' AND occurred_at = '2026-06-09T11:00:00Z';
SELECT email, allow_email, country, city, mobile_number FROM profile WHERE customer_id = 'p1';
SELECT attribute, old_value, new_value FROM event_catalog.customer_changes
WHERE tenant = 20 AND customer_id = 'p1' AND attribute = 'allow_email' ORDER BY changed_at;
-- erasing every event of a customer erases an event-only profile
DELETE FROM event_catalog.events WHERE tenant = 20 AND customer_id = 'p2';
SELECT count(*) AS p2_profiles FROM profile WHERE customer_id = 'p2';
-- API writes survive the recompute
DELETE FROM event_catalog.events WHERE tenant = 20 AND customer_id = 'p1';
SELECT email, allow_email, attributes FROM profile WHERE customer_id = 'p1';

-- a rolled-back load leaves profiles as they were
BEGIN;
SELECT udu('api1', '2030-01-01T00:00:00Z', '{"ootb_email": "rolled@example.com"}') IS NOT NULL;
SELECT email FROM profile WHERE customer_id = 'api1';
ROLLBACK;
SELECT email FROM profile WHERE customer_id = 'api1';

-- the merge's one-call version test gives what version_newer gives of the
-- two versions (customer_row's column values: typed_columns)
SELECT o AS old_versions, n AS new_versions,
	   event_catalog_internal.version_newer_at(n, o, 'k') AS newer,
	   event_catalog_internal.version_newer_at(n, o, 'k') IS NOT DISTINCT FROM
		   event_catalog_internal.version_newer(n ->> 'k', o ->> 'k') AS same
FROM unnest(ARRAY[NULL, '{}', '{"k": "2026-01-01 00:00:00.000000|a"}', '{"k": null}']::jsonb[]) AS o,
	 unnest(ARRAY[NULL, '{}', '{"k": ""}', '{"k": "2026-01-01 00:00:00.000000|a"}',
				  '{"k": "2026-01-01 00:00:00.000000|b"}', '{"k": "2025-12-31 23:59:59.999999|z"}']::jsonb[]) AS n
ORDER BY 1 NULLS FIRST, 2 NULLS FIRST;
