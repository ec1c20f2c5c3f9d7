/*
 * contact/check_channel.sql
 *	  A channel name, or an error naming it.
 */

CREATE OR REPLACE FUNCTION event_catalog.check_channel(channel text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
-- as the owner, to read the internal vocabulary
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	c_channels	constant text[] := event_catalog_internal.vocabulary('channel');
BEGIN
	IF channel <> ALL (c_channels) THEN
		RAISE EXCEPTION 'unknown channel "%"', channel
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('Channels are %s and %s.',
								  array_to_string(c_channels[1:cardinality(c_channels) - 1], ', '),
								  c_channels[cardinality(c_channels)]);
	END IF;
	RETURN channel;
END
$$;

COMMENT ON FUNCTION event_catalog.check_channel(text) IS
	'The channel name if it is one of email, sms, push, whatsapp; otherwise an error (22023).';
REVOKE ALL ON FUNCTION event_catalog.check_channel(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.check_channel(text) TO event_catalog_reader, event_catalog_writer, event_catalog_admin;
