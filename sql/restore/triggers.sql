/*
 * restore/triggers.sql
 *	  Record the operator's indexes and customers columns; apply the
 *	  records again on restore.
 */

CREATE EVENT TRIGGER event_catalog_operator_ddl
	ON ddl_command_end
	WHEN TAG IN ('CREATE INDEX', 'ALTER INDEX', 'DROP INDEX', 'ALTER TABLE')
	EXECUTE FUNCTION event_catalog_internal.record_operator_ddl();

CREATE TRIGGER operator_ddl_restored
	AFTER INSERT ON event_catalog.operator_ddl
	FOR EACH ROW EXECUTE FUNCTION event_catalog_internal.apply_operator_ddl();
