/*
 * contact/contactable_customers.sql
 *	  The contact rule as a set, for campaigns.
 */

/*
 * The contact rule, as a set: customers of the tenant with consent for the
 * channel, an address for it (email; mobile number for sms and whatsapp),
 * not blocked, not test accounts, and not self-excluded at the given time.
 */
CREATE OR REPLACE FUNCTION event_catalog.contactable_customers(tenant integer, channel text,
													at timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (customer_id text)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	-- neither STRICT nor SET: so that the planner inlines it into the caller's
	-- query; every name is schema-qualified
	SELECT c.customer_id
	FROM event_catalog.customers c
	-- the channel is checked once, before any row: an unknown one is an
	-- error whatever the customers (a qual without columns is evaluated
	-- once, ahead of the scan)
	WHERE event_catalog.check_channel(contactable_customers.channel) IS NOT NULL
	  AND c.tenant OPERATOR(pg_catalog.=) contactable_customers.tenant
	  AND ((contactable_customers.channel OPERATOR(pg_catalog.=) 'email'
			AND c.allow_email AND c.email IS NOT NULL)
		OR (contactable_customers.channel OPERATOR(pg_catalog.=) 'sms'
			AND c.allow_sms AND c.mobile_number IS NOT NULL)
		OR (contactable_customers.channel OPERATOR(pg_catalog.=) 'whatsapp'
			AND c.allow_whatsapp AND c.mobile_number IS NOT NULL)
		OR (contactable_customers.channel OPERATOR(pg_catalog.=) 'push' AND c.allow_push))
	  AND c.is_blocked IS NOT TRUE
	  AND c.is_test IS NOT TRUE
	  -- the episodes of self_exclusions, as kept on the customer row
	  AND (c.exclusion_periods IS NULL
		   OR NOT c.exclusion_periods OPERATOR(pg_catalog.@>) contactable_customers.at)
$$;

COMMENT ON FUNCTION event_catalog.contactable_customers(integer, text, timestamptz) IS
	'The customers that may be contacted on a channel at a time (the rule of can_contact, as one query).';

REVOKE ALL ON FUNCTION event_catalog.contactable_customers(integer, text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.contactable_customers(integer, text, timestamptz) TO event_catalog_reader, event_catalog_writer, event_catalog_admin;
