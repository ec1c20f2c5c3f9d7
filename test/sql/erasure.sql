-- erasure: erase_customer removes everything that names a customer, but
-- keeps a self-exclusion in force; deleting API writes recomputes

CREATE ROLE regress_er_admin LOGIN IN ROLE event_catalog_admin;
CREATE ROLE regress_er_writer LOGIN IN ROLE event_catalog_writer;
CREATE ROLE regress_er_reader LOGIN IN ROLE event_catalog_reader;

-- every text of every table of the extension, as rows (table, text)
CREATE FUNCTION extension_text()
RETURNS TABLE (tab text, txt text)
LANGUAGE plpgsql
AS $$
DECLARE
	t regclass;
BEGIN
	FOR t IN
		SELECT c.oid::regclass FROM pg_depend d JOIN pg_class c ON c.oid = d.objid
		WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_extension'::regclass
		  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'event_catalog')
		  AND c.relkind = 'r'
		ORDER BY 1
	LOOP
		RETURN QUERY EXECUTE format('SELECT %L, x::text FROM %s x', t::text, t);
	END LOOP;
END
$$;

-- erin (tenant 70): events with her email, an API write with her mobile
-- number, consent history, a quarantined event, a garbage line naming her,
-- and an exclusion in force (with an anomaly); finn, her neighbour, stays
SET event_catalog.on_invalid = quarantine;
INSERT INTO event_catalog.events (payload) VALUES
 ('{"tenant": 70, "timestamp": "2026-06-01T10:00:00Z", "event": "ootb_user_details_update", "customer": "erin",
    "context": {"ootb_email": "erin@example.com", "ootb_allow_email": "Yes", "ootb_first_name": "Erin"}}'),
 ('{"tenant": 70, "timestamp": "2026-06-02T10:00:00Z", "event": "ootb_user_details_update", "customer": "erin",
    "context": {"ootb_allow_email": "No"}}'),
 ('{"tenant": 70, "timestamp": "2026-06-03T10:00:00Z", "event": "ootb_login", "customer": "erin"}'),
 ('{"tenant": 70, "timestamp": "2026-06-04T10:00:00Z", "event": "ootb_self_exclusion_initiated", "customer": "erin",
    "context": {"ootb_exclusion_type": 0, "ootb_reason": "erin@example.com asked"}}'),
 ('{"tenant": 70, "timestamp": "2026-06-05T10:00:00Z", "event": "ootb_self_exclusion_activated", "customer": "erin"}'),
 ('{"tenant": 70, "timestamp": "2026-06-06T10:00:00Z", "event": "ootb_self_exclusion_activated", "customer": "erin"}'),
 ('{"tenant": 70, "timestamp": "2026-06-04T10:00:00Z", "event": "ootb_user_details_update", "customer": "erin",
    "context": {"ootb_email": "erin@example.com", "ootb_allow_sms": "maybe"}}'),
 ('{"tenant": 70, "timestamp": "2026-06-01T10:00:00Z", "event": "ootb_user_details_update", "customer": "finn",
    "context": {"ootb_email": "finn@example.com", "ootb_allow_email": "Yes"}}');
INSERT INTO event_catalog.events (raw_line) VALUES ('{"tenant": 70, "customer": "erin", "context": {"ootb_email": "erin@example.com"');
RESET event_catalog.on_invalid;
SELECT status FROM event_catalog.upsert_customers(70, '[{"customer_id": "erin", "attributes": {"mobile_number": "+4470000001", "allow_sms": "Yes"}}]');

SELECT count(*) AS rows_naming_erin FROM extension_text() WHERE txt LIKE '%erin%';
SELECT event_catalog.is_self_excluded(70, 'erin') AS excluded_before, event_catalog.can_contact(70, 'erin', 'sms') AS contactable_before;

-- only the admin may erase
SET ROLE regress_er_writer;
SELECT * FROM event_catalog.erase_customer(70, 'erin');
RESET ROLE;
SET ROLE regress_er_reader;
SELECT * FROM event_catalog.erase_customer(70, 'erin');
RESET ROLE;

SET ROLE regress_er_admin;
SELECT * FROM event_catalog.erase_customer(70, 'erin');
RESET ROLE;

-- nothing names her anywhere, in any table of the extension (her id, her
-- email, her name, her number) ...
SELECT tab, txt FROM extension_text()
WHERE txt ~* 'erin|\+4470000001' ORDER BY 1, 2;
-- ... what is kept is the exclusion's periods under a digest of the id
SELECT tenant, customer_digest = sha256('erin'::bytea) AS digest_of_id, in_force
FROM event_catalog.erased_exclusions WHERE tenant = 70;
-- ... and it stays in force; she cannot be contacted
SELECT event_catalog.is_self_excluded(70, 'erin') AS excluded_after,
	   event_catalog.is_self_excluded(70, 'erin', '2026-06-01') AS excluded_before_request,
	   event_catalog.can_contact(70, 'erin', 'sms') AS contactable_after;
-- her neighbour is untouched
SELECT customer_id, email FROM event_catalog.customers WHERE tenant = 70;

-- if she comes back under the same id, the exclusion still holds
SELECT event_catalog.track('{"tenant": 70, "timestamp": "2026-07-01T10:00:00Z", "event": "ootb_user_details_update",
    "customer": "erin", "context": {"ootb_email": "erin2@example.com", "ootb_allow_email": "Yes"}}') > 0 AS tracked;
SELECT event_catalog.is_self_excluded(70, 'erin') AS excluded, event_catalog.can_contact(70, 'erin', 'email') AS contactable,
	   (SELECT count(*) FROM event_catalog.contactable_customers(70, 'email') WHERE customer_id = 'erin') AS in_campaign;
-- erasing again merges the kept periods (nothing more to keep) and removes her again
SELECT * FROM event_catalog.erase_customer(70, 'erin');
SELECT event_catalog.is_self_excluded(70, 'erin') AS still_excluded;

-- deleting API writes recomputes: a customer kept alive only by an API
-- write disappears with it, with its consent history
SELECT status FROM event_catalog.upsert_customers(70, '[{"customer_id": "gil", "attributes": {"email": "gil@example.com", "allow_email": "Yes"}}]');
SELECT count(*) AS gil_history FROM event_catalog.consent_log WHERE tenant = 70 AND customer_id = 'gil';
DELETE FROM event_catalog.customer_updates WHERE tenant = 70 AND customer_id = 'gil';
SELECT count(*) AS gil_profile FROM event_catalog.customers WHERE tenant = 70 AND customer_id = 'gil';
SELECT count(*) AS gil_history FROM event_catalog.consent_log WHERE tenant = 70 AND customer_id = 'gil';
-- and a customer with events and API writes falls back to the events
SELECT status FROM event_catalog.upsert_customers(70, '[{"customer_id": "finn", "attributes": {"email": "finn@api.example.com"}}]');
SELECT email FROM event_catalog.customers WHERE tenant = 70 AND customer_id = 'finn';
DELETE FROM event_catalog.customer_updates WHERE tenant = 70 AND customer_id = 'finn';
SELECT email FROM event_catalog.customers WHERE tenant = 70 AND customer_id = 'finn';

-- clean up
DELETE FROM event_catalog.events WHERE tenant = 70;
DELETE FROM event_catalog.erased_exclusions WHERE tenant = 70;
DROP FUNCTION extension_text();
DROP ROLE regress_er_admin, regress_er_writer, regress_er_reader;
