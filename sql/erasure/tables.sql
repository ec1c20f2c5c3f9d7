/*
 * erasure/tables.sql
 *	  What erase_customer keeps of an erased customer: the exclusion.
 */

/*
 * erased_exclusions: the self-exclusions in force of erased customers, so
 * that an erasure never ends an exclusion.  Only what keeps it in force:
 * the tenant, the SHA-256 digest of the customer id (the id itself is
 * gone, but a returning customer with the same id is found by it) and the
 * periods from each request to its lift (open-ended while not lifted).
 * No contact data, no payload, no episode details.  This is data received
 * (not derived), so pg_dump keeps it.
 */
CREATE TABLE event_catalog.erased_exclusions (
	tenant			integer NOT NULL,
	customer_digest	bytea NOT NULL,
	in_force		tstzmultirange NOT NULL,
	erased_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (tenant, customer_digest)
);

COMMENT ON TABLE event_catalog.erased_exclusions IS
	'Self-exclusions in force of erased customers: tenant, SHA-256 of the customer id and the periods, nothing else.';

SELECT pg_catalog.pg_extension_config_dump('event_catalog.erased_exclusions', '');

GRANT SELECT ON event_catalog.erased_exclusions
	TO event_catalog_reader, event_catalog_writer, event_catalog_admin;
