/*
 * contact/can_contact.sql
 *	  May a customer be contacted on a channel at a time?
 */

CREATE OR REPLACE FUNCTION event_catalog.can_contact(tenant integer, customer_id text, channel text,
										  at timestamptz DEFAULT pg_catalog.now())
RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT EXISTS (
		SELECT 1 FROM event_catalog.contactable_customers(can_contact.tenant, can_contact.channel,
														  can_contact.at) c
		WHERE c.customer_id = can_contact.customer_id)
$$;

COMMENT ON FUNCTION event_catalog.can_contact(integer, text, text, timestamptz) IS
	'May this customer be contacted on this channel at this time? False unless every condition holds.';

REVOKE ALL ON FUNCTION event_catalog.can_contact(integer, text, text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.can_contact(integer, text, text, timestamptz) TO event_catalog_reader, event_catalog_writer, event_catalog_admin;
