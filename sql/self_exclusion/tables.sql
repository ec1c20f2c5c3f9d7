/*
 * self_exclusion/tables.sql
 *	  Self-exclusion episodes and anomalies, rebuilt per customer by
 *	  recompute_self_exclusions.
 */

CREATE TABLE event_catalog.self_exclusions (
	tenant				integer NOT NULL,
	customer_id			text COLLATE "C" NOT NULL,
	episode				integer NOT NULL,
	status				text NOT NULL CHECK (status IN ('pending', 'active', 'lifted')),
	exclusion_type		text CHECK (exclusion_type IN ('self_exclusion', 'cool_off')),
	reason				text,
	duration			text,
	requested_at		timestamptz NOT NULL,
	activated_at		timestamptz,
	starts_at			timestamptz,
	expires_at			timestamptz,
	lifted_at			timestamptz,
	update_count		integer NOT NULL DEFAULT 0,
	violation_count		integer NOT NULL DEFAULT 0,
	last_violation_at	timestamptz,
	brand				text,
	license				text,
	first_event_id		bigint NOT NULL,
	last_event_id		bigint NOT NULL,
	PRIMARY KEY (tenant, customer_id, episode)
);

-- the exclusions in force: those not lifted
CREATE INDEX self_exclusions_open_idx
	ON event_catalog.self_exclusions (tenant, customer_id) WHERE lifted_at IS NULL;

COMMENT ON TABLE event_catalog.self_exclusions IS
	'Self-exclusion episodes, a pure function of each customer''s five self-exclusion events.';

CREATE TABLE event_catalog.self_exclusion_anomalies (
	tenant			integer NOT NULL,
	customer_id		text COLLATE "C" NOT NULL,
	event_id		bigint NOT NULL,
	episode			integer,
	code			text NOT NULL,
	detail			text NOT NULL,
	occurred_at		timestamptz NOT NULL
);

CREATE INDEX self_exclusion_anomalies_customer_idx
	ON event_catalog.self_exclusion_anomalies (tenant, customer_id);

COMMENT ON TABLE event_catalog.self_exclusion_anomalies IS
	'Out-of-order, impossible or weakening self-exclusion events, and what was done about them.';

GRANT SELECT ON event_catalog.self_exclusions, event_catalog.self_exclusion_anomalies
	TO event_catalog_reader, event_catalog_admin;
GRANT SELECT ON event_catalog.self_exclusions, event_catalog.self_exclusion_anomalies TO event_catalog_writer;
