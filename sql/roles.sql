/*
 * roles.sql
 *	  The three roles and the two schemas.
 *
 *	  Roles are cluster-wide, so they are created only when missing and are
 *	  not dropped with the extension:
 *	    event_catalog_writer  loads events (COPY, INSERT, track) and writes
 *	                          profiles through upsert_customer(s) only
 *	    event_catalog_reader  reads every table and runs the reports
 *	    event_catalog_admin   changes the catalog and deletes events (erasure)
 *	  Grant them to login roles.  Derived state (profiles, episodes) is
 *	  written by SECURITY DEFINER functions with a pinned search_path, never
 *	  directly.
 *
 *	  event_catalog holds the public surface: the tables and the documented
 *	  functions.  event_catalog_internal holds everything else (trigger
 *	  functions, the upkeep, helpers); nothing in it is granted to anyone, so
 *	  no role can call a helper by name.  Every function states its own
 *	  privileges in its file.
 */
DO $$
DECLARE
	r text;
BEGIN
	FOREACH r IN ARRAY ARRAY['event_catalog_reader', 'event_catalog_writer', 'event_catalog_admin'] LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
			EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r);
		END IF;
	END LOOP;
END $$;

-- everyone may validate: the schema is usable and the catalog readable
GRANT USAGE ON SCHEMA event_catalog TO PUBLIC;

CREATE SCHEMA event_catalog_internal;
COMMENT ON SCHEMA event_catalog_internal IS
	'Internals of event_catalog (triggers, upkeep, helpers): not an API, nothing granted.';
