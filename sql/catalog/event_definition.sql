/*
 * catalog/event_definition.sql
 *	  One event of the catalog in define_event's format.
 */

-- export one event in define_event's format
CREATE OR REPLACE FUNCTION event_catalog.event_definition(p_event_key text)
RETURNS jsonb
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
		'event', t.event_key,
		'display_name', t.display_name,
		'category', t.category,
		'description', t.description,
		'requires_customer', t.requires_customer,
		'fail_safe', CASE WHEN t.fail_safe THEN true END,
		'builtin', CASE WHEN t.builtin THEN true END,
		'params', COALESCE((
			SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_strip_nulls(pg_catalog.jsonb_build_object(
					'key', p.param_key,
					'type', p.data_type,
					'requirement', p.requirement,
					'channel', p.channel,
					'allowed_values', CASE WHEN p.data_type = 'number'
										THEN (SELECT pg_catalog.jsonb_agg(v::numeric)
											  FROM pg_catalog.unnest(p.allowed_values) v)
										ELSE pg_catalog.to_jsonb(p.allowed_values) END,
					'max_length', p.max_length,
					'profile_attribute', p.profile_attribute,
					'description', p.description,
					'builtin', CASE WHEN p.builtin THEN true END))
				ORDER BY p.position, p.param_key)
			FROM event_catalog.event_params p
			WHERE p.event_key = t.event_key), '[]'::jsonb)))
	FROM event_catalog.event_types t
	WHERE t.event_key = p_event_key
$$;

COMMENT ON FUNCTION event_catalog.event_definition(text) IS
	'One event of the catalog as a JSON definition in define_event''s format, or null.';
REVOKE ALL ON FUNCTION event_catalog.event_definition(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.event_definition(text) TO PUBLIC;
