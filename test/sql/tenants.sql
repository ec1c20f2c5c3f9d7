-- tenants: tenant isolation is a barrier keyed by role membership
-- (event_catalog.tenant_roles), not by a setting a role may change; the
-- bookkeeping tables cannot be forged

-- group roles bound to tenants 601 and 602; login roles are their members
CREATE ROLE regress_t601 NOLOGIN;
CREATE ROLE regress_t602 NOLOGIN;
CREATE ROLE regress_t601_w LOGIN IN ROLE event_catalog_writer, regress_t601;
CREATE ROLE regress_t602_w LOGIN IN ROLE event_catalog_writer, regress_t602;
CREATE ROLE regress_t601_r LOGIN IN ROLE event_catalog_reader, regress_t601;
CREATE ROLE regress_t602_r LOGIN IN ROLE event_catalog_reader, regress_t602;
CREATE ROLE regress_t_admin LOGIN IN ROLE event_catalog_admin;

-- what a role sees of every table with a tenant, of the tenants of this
-- test (null: quarantined lines whose tenant could not be read)
CREATE FUNCTION tenants_seen()
RETURNS TABLE (tab text, tenants text)
LANGUAGE plpgsql
AS $$
DECLARE
	t text;
BEGIN
	FOR t IN SELECT unnest(ARRAY['events', 'rejected_events', 'duplicate_counts', 'customers',
								 'customer_updates', 'consent_log', 'customer_changes',
								 'self_exclusions', 'self_exclusion_anomalies', 'erased_exclusions'])
	LOOP
		BEGIN
			RETURN QUERY EXECUTE format(
				'SELECT %L, COALESCE(string_agg(DISTINCT COALESCE(tenant::text, ''null''), '','' ORDER BY COALESCE(tenant::text, ''null'')), ''-'') FROM event_catalog.%I WHERE tenant IN (601, 602) OR tenant IS NULL',
				t, t);
		EXCEPTION WHEN insufficient_privilege THEN
			RETURN QUERY SELECT t, 'no privilege';
		END;
	END LOOP;
END
$$;

-- what a role gets from every report and contact function, for one tenant
CREATE FUNCTION reports_seen(t integer)
RETURNS TABLE (report text, result text)
LANGUAGE sql
AS $$
	SELECT 'registration_funnel', (SELECT string_agg(stage || '=' || events, ' ' ORDER BY stage)
								   FROM event_catalog.registration_funnel(t))
	UNION ALL
	SELECT 'consent_summary', (SELECT string_agg(channel || '=' || opted_in || '/' || contactable, ' ' ORDER BY channel)
							   FROM event_catalog.consent_summary(t))
	UNION ALL
	SELECT 'self_exclusion_report', (SELECT string_agg(trim(metric) || '=' || value, ' ' ORDER BY metric)
									 FROM event_catalog.self_exclusion_report(t) WHERE value > 0)
	UNION ALL
	SELECT 'validation_report', (SELECT string_agg(outcome || ':' || event_key || '=' || count, ' '
												   ORDER BY outcome, event_key, count)
								 FROM event_catalog.validation_report(t))
	UNION ALL
	SELECT 'can_contact', event_catalog.can_contact(t, 'm' || t, 'email')::text
	UNION ALL
	SELECT 'contactable_customers', (SELECT string_agg(customer_id, ',' ORDER BY customer_id)
									 FROM event_catalog.contactable_customers(t, 'email'))
	UNION ALL
	SELECT 'is_self_excluded', event_catalog.is_self_excluded(t, 'x' || t)::text
	UNION ALL
	SELECT 'is_self_excluded (erased)', event_catalog.is_self_excluded(t, 'gone' || t)::text
$$;

-- the same data for both tenants: a profile with consent (customer m<t>),
-- an API write, an exclusion with an anomaly (x<t>), registrations, a
-- duplicate, a quarantined event and an erased, excluded customer
SET event_catalog.on_invalid = quarantine;
INSERT INTO event_catalog.events (payload)
SELECT e FROM (SELECT t FROM (VALUES (601), (602)) v(t)) t,
LATERAL (VALUES
  (jsonb_build_object('tenant', t, 'timestamp', '2026-06-09T10:00:00Z', 'event', 'ootb_user_details_update',
					  'customer', 'm' || t, 'context', jsonb_build_object('ootb_email', 'm' || t || '@example.com',
																		 'ootb_allow_email', 'Yes'))),
  (jsonb_build_object('tenant', t, 'timestamp', '2026-06-09T10:01:00Z', 'event', 'ootb_registration',
					  'customer', 'm' || t, 'context', '{"ootb_status": "Completed"}'::jsonb)),
  (jsonb_build_object('tenant', t, 'timestamp', '2026-06-09T10:02:00Z', 'event', 'ootb_self_exclusion_initiated',
					  'customer', 'x' || t, 'context', '{"ootb_exclusion_type": 0}'::jsonb)),
  (jsonb_build_object('tenant', t, 'timestamp', '2026-06-09T10:03:00Z', 'event', 'ootb_self_exclusion_initiated',
					  'customer', 'x' || t, 'context', '{"ootb_exclusion_type": 0, "ootb_reason": "again"}'::jsonb)),
  (jsonb_build_object('tenant', t, 'timestamp', '2026-06-09T10:02:00Z', 'event', 'ootb_self_exclusion_initiated',
					  'customer', 'gone' || t, 'context', '{"ootb_exclusion_type": 0}'::jsonb)),
  (jsonb_build_object('tenant', t, 'timestamp', '2026-06-09T10:04:00Z', 'event', 'ootb_nothing',
					  'customer', 'm' || t))) e(e);
SELECT event_catalog.track('{"tenant": 601, "timestamp": "2026-06-09T10:01:00Z", "event": "ootb_registration",
                             "customer": "m601", "context": {"ootb_status": "Completed"}}') > 0 AS duplicate_of_601;
SELECT event_catalog.track('{"tenant": 602, "timestamp": "2026-06-09T10:01:00Z", "event": "ootb_registration",
                             "customer": "m602", "context": {"ootb_status": "Completed"}}') > 0 AS duplicate_of_602;
INSERT INTO event_catalog.events (raw_line) VALUES ('not json, no tenant');
SELECT status FROM event_catalog.upsert_customers(601, '[{"customer_id": "m601", "attributes": {"city": "Rome"}}]');
SELECT status FROM event_catalog.upsert_customers(602, '[{"customer_id": "m602", "attributes": {"city": "Oslo"}}]');
SELECT count(*) AS erased FROM event_catalog.erase_customer(601, 'gone601');
SELECT count(*) AS erased FROM event_catalog.erase_customer(602, 'gone602');
RESET event_catalog.on_invalid;

SELECT event_catalog.enable_tenant_isolation();

-- only the admin binds tenants to roles; a writer cannot bind itself
SET ROLE regress_t601_w;
INSERT INTO event_catalog.tenant_roles VALUES ('regress_t601_w', 602);
UPDATE event_catalog.tenant_roles SET tenant = 602;
RESET ROLE;
SET ROLE regress_t_admin;
INSERT INTO event_catalog.tenant_roles VALUES ('regress_t601', 601), ('regress_t602', 602);
RESET ROLE;

-- every role sees its own bindings only
SET ROLE regress_t601_r;
SELECT role, tenant FROM event_catalog.tenant_roles;
RESET ROLE;

-- every table, per role: its own tenants; the admin all, with the
-- unreadable lines; what a role SETs changes nothing
SET ROLE regress_t601_r;
SELECT * FROM tenants_seen();
SET event_catalog.tenant = 602;
SELECT * FROM tenants_seen();
RESET event_catalog.tenant;
RESET ROLE;
SET ROLE regress_t602_r;
SELECT * FROM tenants_seen();
RESET ROLE;
SET ROLE regress_t601_w;
SELECT * FROM tenants_seen();
RESET ROLE;
SET ROLE regress_t_admin;
SELECT * FROM tenants_seen();
RESET ROLE;

-- every report and contact function, per role: its own tenant's numbers,
-- nothing of the other's
SET ROLE regress_t601_r;
SELECT * FROM reports_seen(601);
SELECT * FROM reports_seen(602);
-- without a tenant: the tenants it sees (one registration, one duplicate)
SELECT outcome, count FROM event_catalog.validation_report() WHERE event_key = 'ootb_registration';
RESET ROLE;
SET ROLE regress_t602_w;
SELECT * FROM reports_seen(602);
SELECT * FROM reports_seen(601);
RESET ROLE;
SET ROLE regress_t_admin;
SELECT * FROM reports_seen(602);
RESET ROLE;

-- a writer writes its own tenant
SET ROLE regress_t601_w;
SELECT event_catalog.track('{"tenant": 601, "timestamp": "2026-06-09T11:00:00Z", "event": "ootb_login", "customer": "m601"}') > 0 AS own_tenant;
SELECT * FROM event_catalog.upsert_customers(601, '[{"customer_id": "m601", "attributes": {"city": "Milan"}}]');

-- ... and not another's, with one error whether or not the event or the
-- customer exists (no existence oracle), whatever it SETs
SET event_catalog.tenant = 602;
SELECT event_catalog.track('{"tenant": 602, "timestamp": "2026-06-09T10:01:00Z", "event": "ootb_registration",
                             "customer": "m602", "context": {"ootb_status": "Completed"}}');
SELECT event_catalog.track('{"tenant": 602, "timestamp": "2026-06-09T10:01:00Z", "event": "ootb_registration",
                             "customer": "nobody", "context": {"ootb_status": "Completed"}}');
SELECT * FROM event_catalog.upsert_customers(602, '[{"customer_id": "m602", "attributes": {"city": "Bergen"}}]');
SELECT * FROM event_catalog.upsert_customers(602, '[{"customer_id": "nobody", "attributes": {"city": "Bergen"}}]');
SELECT event_catalog.upsert_customer(602, 'm602', '{"city": "Bergen"}');
RESET event_catalog.tenant;
INSERT INTO event_catalog.events (payload) VALUES
 ('{"tenant": 601, "timestamp": "2026-06-09T11:01:00Z", "event": "ootb_login", "customer": "m601"}'),
 ('{"tenant": 602, "timestamp": "2026-06-09T11:01:00Z", "event": "ootb_login", "customer": "m602"}');

-- under quarantine, invalid lines of another tenant (or of none) are
-- quarantined, not fatal, and only the admin sees them; the load goes on
SET event_catalog.on_invalid = quarantine;
INSERT INTO event_catalog.events (raw_line) VALUES
 ('{"tenant": 602, "timestamp": "2026-06-09T11:02:00Z", "event": "ootb_nothing", "customer": "m602"}'),
 ('{"tenant": 601, "timestamp": "2026-06-09T11:02:00Z", "event": "ootb_nothing", "customer": "m601"}'),
 ('cut off {"tenant": 602'),
 ('{"tenant": 601, "timestamp": "2026-06-09T11:02:00Z", "event": "ootb_login", "customer": "m601"}');
RESET event_catalog.on_invalid;
SELECT tenant, event_key, rejected_by FROM event_catalog.rejected_events
WHERE rejected_by = current_user ORDER BY rejected_id;
SELECT count(*) AS own_logins FROM event_catalog.events WHERE event_key = 'ootb_login';
RESET ROLE;
SELECT tenant, event_key, rejected_by, problems->0->>'code' AS code FROM event_catalog.rejected_events
WHERE rejected_by = 'regress_t601_w' ORDER BY rejected_id;
SELECT city FROM event_catalog.customers WHERE customer_id IN ('m601', 'm602') ORDER BY tenant;
SELECT count(*) AS nobody FROM event_catalog.customers WHERE customer_id = 'nobody';

-- D09: nobody but the insert trigger writes the quarantine or the duplicate
-- counts, so validation_report cannot be falsified; the upkeep is internal
SET ROLE regress_t601_w;
INSERT INTO event_catalog.rejected_events (tenant, event_key, rejected_by, rejected_at, problems)
VALUES (601, 'ootb_deposit', 'event_catalog_admin', '2001-01-01', '[{"code": "invalid_value", "path": "/x", "severity": "error"}]');
INSERT INTO event_catalog.duplicate_counts VALUES (601, 'ootb_deposit', current_date, 1000000);
UPDATE event_catalog.duplicate_counts SET duplicates = 1000000;
SELECT event_catalog_internal.event_writes(ARRAY[1::bigint]);
-- writers may run self_exclusion_report (they read the anomalies)
SELECT metric, value FROM event_catalog.self_exclusion_report(601) WHERE metric LIKE '%anomal%' OR metric LIKE '  initiated%';
RESET ROLE;

-- off again: every role with the grants sees every tenant
SELECT event_catalog.disable_tenant_isolation();
SET ROLE regress_t601_r;
SELECT count(DISTINCT tenant) AS tenants_visible_again FROM event_catalog.customers WHERE tenant IN (601, 602);
RESET ROLE;

-- clean up
DELETE FROM event_catalog.events WHERE tenant IN (601, 602);
DELETE FROM event_catalog.customer_updates WHERE tenant IN (601, 602);
DELETE FROM event_catalog.rejected_events WHERE tenant IN (601, 602) OR rejected_by LIKE 'regress_t6%'
	OR raw_line = 'not json, no tenant';
DELETE FROM event_catalog.duplicate_counts WHERE tenant IN (601, 602);
DELETE FROM event_catalog.erased_exclusions WHERE tenant IN (601, 602);
DELETE FROM event_catalog.tenant_roles;
SELECT count(*) AS left_over FROM event_catalog.customers WHERE tenant IN (601, 602);
DROP FUNCTION tenants_seen(), reports_seen(integer);
DROP ROLE regress_t601_w, regress_t602_w, regress_t601_r, regress_t602_r, regress_t_admin,
	regress_t601, regress_t602;
