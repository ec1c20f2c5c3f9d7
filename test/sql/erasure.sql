-- erasure: erase_customer removes what the extension holds of a customer
-- and keeps only what keeps a self-exclusion in force
\set SHOW_CONTEXT never
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_ec_erase_writer;
RESET client_min_messages;
CREATE ROLE regress_ec_erase_writer IN ROLE event_catalog_writer;

-- a customer with profile events, a login, an API write, quarantined lines
-- naming them, consent history and an active exclusion; and a neighbour
INSERT INTO event_catalog.events (payload) VALUES
 ('{"tenant": 97, "timestamp": "2026-06-01T10:00:00Z", "event": "ootb_user_details_update", "customer": "gone",
	"context": {"ootb_email": "gone@example.com", "ootb_allow_email": "Yes", "ootb_first_name": "Greta"}}'),
 ('{"tenant": 97, "timestamp": "2026-06-02T10:00:00Z", "event": "ootb_login", "customer": "gone"}'),
 ('{"tenant": 97, "timestamp": "2026-06-03T10:00:00Z", "event": "ootb_self_exclusion_initiated", "customer": "gone",
	"context": {"ootb_exclusion_type": 0}}'),
 ('{"tenant": 97, "timestamp": "2026-06-03T11:00:00Z", "event": "ootb_self_exclusion_activated", "customer": "gone"}'),
 ('{"tenant": 97, "timestamp": "2026-06-01T10:00:00Z", "event": "ootb_user_details_update", "customer": "stays",
	"context": {"ootb_email": "stays@example.com", "ootb_allow_email": "Yes"}}');
SELECT status FROM event_catalog.upsert_customers(97, '[{"customer_id": "gone", "timestamp": "2026-06-05T10:00:00Z",
	"attributes": {"email": "gone.api@example.com", "mobile_number": "+4790000000"}}]');
SET event_catalog.on_invalid = quarantine;
INSERT INTO event_catalog.events (raw_line) VALUES
 ('{"tenant": 97, "event": "ootb_login", "customer": "gone", "context": {"ootb_email": "gone@example.com"}}'),
 ('{"tenant": "x", "customer": "gone", "email": "gone@example.com"'),
 ('{"tenant": 97, "event": "ootb_login", "customer": "stays"}');
RESET event_catalog.on_invalid;
SELECT event_catalog.is_self_excluded(97, 'gone') AS excluded_before;

-- only the admin may erase
SET ROLE regress_ec_erase_writer;
SELECT * FROM event_catalog.erase_customer(97, 'gone');
RESET ROLE;

SELECT * FROM event_catalog.erase_customer(97, 'gone');

-- nothing of their profile or contact data is left anywhere: every table
-- of the extension, searched as text for the email, the phone and the name
DO $$
DECLARE
	t text;
	n bigint;
BEGIN
	FOR t IN SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'event_catalog'::regnamespace
			 AND c.relkind IN ('r', 'v') ORDER BY 1 LOOP
		EXECUTE format($q$SELECT count(*) FROM event_catalog.%I x
						  WHERE x::text ~ '(gone@|gone\.api@|4790000000|Greta)'$q$, t) INTO n;
		IF n > 0 THEN
			RAISE NOTICE '% still holds % rows with the erased customer''s data', t, n;
		END IF;
	END LOOP;
	RAISE NOTICE 'searched';
END $$;

-- what is kept: the exclusion, in force
SELECT event_key FROM event_catalog.events WHERE tenant = 97 AND customer_id = 'gone' ORDER BY occurred_at;
SELECT episode, status FROM event_catalog.self_exclusions WHERE tenant = 97 AND customer_id = 'gone';
SELECT event_catalog.is_self_excluded(97, 'gone') AS excluded_after,
	   event_catalog.can_contact(97, 'gone', 'email') AS contactable;
-- the neighbour is untouched
SELECT customer_id, email FROM event_catalog.customers WHERE tenant = 97 ORDER BY 1;
SELECT count(*) AS neighbour_quarantined FROM event_catalog.rejected_events WHERE tenant = 97 AND customer_id = 'stays';

-- the customer comes back: the exclusion is still there
INSERT INTO event_catalog.events (payload) VALUES
 ('{"tenant": 97, "timestamp": "2026-07-01T10:00:00Z", "event": "ootb_user_details_update", "customer": "gone",
	"context": {"ootb_email": "back@example.com", "ootb_allow_email": "Yes"}}');
SELECT event_catalog.can_contact(97, 'gone', 'email') AS contactable_on_return;

-- erasing someone unknown removes nothing
SELECT * FROM event_catalog.erase_customer(97, 'nobody') WHERE rows > 0;

DROP ROLE regress_ec_erase_writer;
