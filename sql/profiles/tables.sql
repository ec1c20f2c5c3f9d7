/*
 * profiles/tables.sql
 *	  Customer profiles, API writes and consent history.
 */

CREATE TABLE event_catalog.customers (
	tenant				integer NOT NULL,
	customer_id			text COLLATE "C" NOT NULL,
	exclusion_periods	tstzmultirange,
	email				text,
	mobile_number		text,
	registration_status	text,
	registration_source	text,
	date_of_birth		date,
	allow_email			boolean,
	allow_sms			boolean,
	allow_push			boolean,
	allow_whatsapp		boolean,
	is_email_verified	boolean,
	is_mobile_verified	boolean,
	is_blocked			boolean,
	is_test				boolean,
	gender				text,
	country				text,
	city				text,
	address				text,
	first_name			text,
	last_name			text,
	language			text,
	currency			text,
	brand				text,
	alias				text,
	referral_type		text,
	affiliate_id		text,
	platform			text,
	promo_code			text,
	license				text,
	attributes			jsonb NOT NULL DEFAULT '{}',
	attribute_versions	jsonb NOT NULL DEFAULT '{}',
	created_at			timestamptz NOT NULL,
	updated_at			timestamptz NOT NULL,
	PRIMARY KEY (tenant, customer_id)
);

COMMENT ON TABLE event_catalog.customers IS
	'Customer profiles from User Details Update (and Registration) events and the upsert functions.';
COMMENT ON COLUMN event_catalog.customers.attributes IS
	'Profile attributes of custom params that map to no column.';
COMMENT ON COLUMN event_catalog.customers.attribute_versions IS
	'Per attribute, the version of its value: event time (UTC) and a content digest; the newest wins.';
COMMENT ON COLUMN event_catalog.customers.exclusion_periods IS
	'When the customer is self-excluded: the episodes from request to lift (kept by the extension from self_exclusions).';
COMMENT ON COLUMN event_catalog.customers.created_at IS
	'Time of the earliest write to this profile (event time, or call time for API writes).';
COMMENT ON COLUMN event_catalog.customers.updated_at IS
	'Time of the newest write applied to this profile.';

-- profile writes through the Customer Data API functions
CREATE TABLE event_catalog.customer_updates (
	update_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tenant			integer NOT NULL,
	customer_id		text COLLATE "C" NOT NULL,
	attributes		jsonb NOT NULL,
	occurred_at		timestamptz NOT NULL,
	received_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_by		text NOT NULL DEFAULT CURRENT_USER
);

CREATE INDEX customer_updates_customer_idx
	ON event_catalog.customer_updates (tenant, customer_id);

COMMENT ON TABLE event_catalog.customer_updates IS
	'Writes made with upsert_customer(s); kept so that profiles can be recomputed after event deletes.';

-- every write (event or API call) that carried consent or contact
-- attributes: one row per write, with those attributes' values (one row
-- per write rather than per attribute: a fifth of the rows to insert)
CREATE TABLE event_catalog.consent_log (
	tenant			integer NOT NULL,
	customer_id		text COLLATE "C" NOT NULL,
	vals			jsonb NOT NULL,
	changed_at		timestamptz NOT NULL,
	version			text COLLATE "C" NOT NULL,
	event_id		bigint,
	update_id		bigint
);

CREATE INDEX consent_log_customer_idx
	ON event_catalog.consent_log (tenant, customer_id);

COMMENT ON TABLE event_catalog.consent_log IS
	'Every write (event or API call) that carried consent or contact attributes, one row per write; read it through customer_changes.';

-- the changes, in event-time order: old_value is the value before
-- security_invoker: the reader's own privileges and tenant policies apply
CREATE VIEW event_catalog.customer_changes WITH (security_invoker = true) AS
SELECT l.tenant, l.customer_id, l.attribute, l.old_value, l.new_value, l.changed_at,
	   l.event_id, CASE WHEN l.event_id IS NOT NULL THEN 'event' ELSE 'api' END AS source,
	   l.update_id
FROM (SELECT c.tenant, c.customer_id, c.attribute, c.value AS new_value, c.changed_at,
			 c.event_id, c.update_id,
			 pg_catalog.lag(c.value) OVER w AS old_value,
			 pg_catalog.row_number() OVER w AS n
	  FROM (SELECT g.tenant, g.customer_id, kv.key COLLATE "C" AS attribute,
				   CASE WHEN pg_catalog.jsonb_typeof(kv.value) = 'string'
						THEN NULLIF(kv.value OPERATOR(pg_catalog.#>>) '{}', '')
						ELSE kv.value::text END AS value,
				   g.changed_at, g.version, g.event_id, g.update_id
			FROM event_catalog.consent_log g, pg_catalog.jsonb_each(g.vals) kv) c
	  WINDOW w AS (PARTITION BY c.tenant, c.customer_id, c.attribute ORDER BY c.version)) l
WHERE l.n = 1 OR l.old_value IS DISTINCT FROM l.new_value;

COMMENT ON VIEW event_catalog.customer_changes IS
	'History of email, mobile number, consent and blocked status per customer, in event-time order.';

-- pg_dump keeps what was received (events, API writes); the derived tables
-- (customers, consent_log, self-exclusion episodes) are rebuilt by the
-- triggers as those are restored
SELECT pg_catalog.pg_extension_config_dump('event_catalog.customer_updates', '');
SELECT pg_catalog.pg_extension_config_dump('event_catalog.customer_updates_update_id_seq', '');

GRANT SELECT ON event_catalog.customers, event_catalog.customer_updates, event_catalog.consent_log,
	event_catalog.customer_changes TO event_catalog_reader, event_catalog_admin;
GRANT SELECT ON event_catalog.customers TO event_catalog_writer;
-- erasure and retention of API writes; a trigger recomputes the customers
GRANT DELETE ON event_catalog.customer_updates TO event_catalog_admin;
