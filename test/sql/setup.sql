-- setup: install the extension and a helper used by the other tests
CREATE EXTENSION event_catalog;

SELECT extname, extversion, extrelocatable, n.nspname
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE extname = 'event_catalog';

-- not relocatable
ALTER EXTENSION event_catalog SET SCHEMA public;

-- every function of the extension, with its volatility, strictness and
-- parallel safety, so that a change of labels shows up here
SELECT p.proname, pg_get_function_identity_arguments(p.oid) AS args,
       p.provolatile, p.proisstrict, p.proparallel, p.prosecdef
FROM pg_proc p
WHERE p.pronamespace = 'event_catalog'::regnamespace
ORDER BY 1, 2;

-- problems of an event as rows: path, code, severity
CREATE FUNCTION problems(event jsonb)
RETURNS TABLE (path text, code text, severity text)
LANGUAGE sql STABLE
AS $$
	SELECT p->>'path', p->>'code', p->>'severity'
	FROM jsonb_array_elements(event_catalog.validate_event(event)) p
$$;

-- a valid event of the given key with the given context
CREATE FUNCTION ev(key text, context jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE sql IMMUTABLE
AS $$
	SELECT jsonb_build_object('tenant', 567,
							  'timestamp', '2026-06-09 10:15:00.000000 UTC',
							  'event', key,
							  'customer', 'customerId1',
							  'context', context)
$$;
