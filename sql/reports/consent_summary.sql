/*
 * reports/consent_summary.sql
 *	  Consent per channel.
 */

/*
 * consent_summary: per channel, the customers who opted in, opted out or
 * never said, those with an address for it, and those contactable now.
 */
CREATE OR REPLACE FUNCTION event_catalog.consent_summary(tenant integer, at timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (channel text, opted_in bigint, opted_out bigint, unknown bigint,
			   with_address bigint, contactable bigint)
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
	k	bigint[] := '{}';	-- contactable customers, by channel
	v_channel	text;
BEGIN
	-- each channel's contactable customers in a statement of its own: on
	-- Citus a function that reads distributed tables must not run inside
	-- the pushed-down aggregation below (it would read a worker's shell)
	FOREACH v_channel IN ARRAY ARRAY['email', 'sms', 'push', 'whatsapp'] LOOP
		k := k || (SELECT count(*) FROM event_catalog.contactable_customers(consent_summary.tenant, v_channel,
																			   consent_summary.at));
	END LOOP;
	RETURN QUERY
	SELECT ch.channel,
		   count(*) FILTER (WHERE ch.consent),
		   count(*) FILTER (WHERE NOT ch.consent),
		   count(*) FILTER (WHERE ch.consent IS NULL),
		   count(*) FILTER (WHERE ch.address),
		   k[ch.ord]
	FROM event_catalog.customers c
	CROSS JOIN LATERAL (VALUES
		('email', c.allow_email, c.email IS NOT NULL, 1),
		('sms', c.allow_sms, c.mobile_number IS NOT NULL, 2),
		('push', c.allow_push, true, 3),
		('whatsapp', c.allow_whatsapp, c.mobile_number IS NOT NULL, 4)) AS ch(channel, consent, address, ord)
	WHERE c.tenant = consent_summary.tenant
	GROUP BY ch.channel, ch.ord
	ORDER BY ch.ord;
END
$$;
COMMENT ON FUNCTION event_catalog.consent_summary(integer, timestamptz) IS
	'Per channel: customers opted in, opted out, unknown, with an address, and contactable.';

REVOKE ALL ON FUNCTION event_catalog.consent_summary(integer, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.consent_summary(integer, timestamptz) TO event_catalog_reader, event_catalog_writer, event_catalog_admin;
