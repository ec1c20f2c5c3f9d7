/*
 * profiles/check_customer_write.sql
 *	  One element of upsert_customers checked with the rules of a User
 *	  Details Update (src/customer_write.c): the problems by path and code,
 *	  and the attributes to store under their profile names.
 */

CREATE OR REPLACE FUNCTION event_catalog_internal.check_customer_write(customer jsonb,
	OUT customer_id text, OUT attributes jsonb, OUT occurred_at timestamptz, OUT problems jsonb)
AS 'MODULE_PATHNAME', 'ec_check_customer_write'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
REVOKE ALL ON FUNCTION event_catalog_internal.check_customer_write(jsonb) FROM PUBLIC;
