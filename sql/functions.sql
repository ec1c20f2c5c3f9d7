/*
 * functions.sql
 *	  Every function of the extension, in dependency order.  Each file
 *	  creates its functions with CREATE OR REPLACE and states their comment
 *	  and privileges, so that an upgrade script can include this list to
 *	  bring every function to the current version.
 */

\ir profiles/columns.sql

\ir validation/problem_codes.sql
\ir validation/validate_event.sql
\ir validation/is_valid_event.sql
\ir validation/assert_valid_event.sql

\ir catalog/catalog_changed.sql
\ir catalog/event_definition.sql
\ir catalog/export_catalog.sql
\ir catalog/define_event.sql
\ir catalog/drop_event.sql
\ir catalog/event_in_use.sql

\ir ingest/trigger_functions.sql
\ir ingest/track.sql
\ir ingest/track_batch.sql
\ir ingest/load_report.sql
\ir ingest/event_content_hash.sql
\ir ingest/json_fast.sql

\ir profiles/values.sql
\ir profiles/versions.sql
\ir profiles/merge.sql
\ir profiles/build_profile_functions.sql
\ir profiles/check_customer_write.sql
\ir profiles/upsert_customers.sql
\ir profiles/customer_updates_after_insert.sql
\ir profiles/customer_updates_after_delete.sql
\ir profiles/upsert_customer.sql

\ir self_exclusion/helpers.sql
\ir self_exclusion/recompute_self_exclusions.sql
\ir self_exclusion/is_self_excluded.sql

\ir contact/check_channel.sql
\ir contact/contactable_customers.sql
\ir contact/can_contact.sql

\ir effects/locks.sql
\ir effects/recompute_customers.sql

\ir reports/registration_funnel.sql
\ir reports/consent_summary.sql
\ir reports/self_exclusion_report.sql
\ir reports/validation_report.sql

\ir tenant_isolation/tenant_isolation.sql

\ir erasure/erase_customer.sql

\ir restore/operator_ddl.sql

\ir citus/distribute.sql
