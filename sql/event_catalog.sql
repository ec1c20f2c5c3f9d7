/*
 * event_catalog.sql
 *	  The install script of the current version, as a list of sources:
 *	  `make` expands each \ir line into sql/event_catalog--<version>.sql
 *	  (sql/assemble.awk).  Order matters: roles and schemas, the C rule
 *	  functions that table constraints call, the tables, every function,
 *	  the triggers, the seeded catalog, the generated profile merge.
 */

\echo Use "CREATE EXTENSION event_catalog" to load this file. \quit

\ir roles.sql
\ir catalog/rules.sql

\ir catalog/tables.sql
\ir ingest/tables.sql
\ir ingest/loads.sql
\ir effects/customer_ref.sql
\ir profiles/tables.sql
\ir self_exclusion/tables.sql
\ir tenant_isolation/tables.sql
\ir erasure/tables.sql
\ir restore/tables.sql

\ir functions.sql

\ir catalog/triggers.sql
\ir ingest/triggers.sql
\ir ingest/load_triggers.sql
\ir profiles/triggers.sql
\ir restore/triggers.sql

\ir catalog/seed.sql

-- the profile merge functions, generated from the customers columns
SELECT event_catalog.build_profile_functions();
