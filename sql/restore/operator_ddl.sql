/*
 * restore/operator_ddl.sql
 *	  Record what the operator adds to the extension's tables, and apply it
 *	  again when pg_restore brings the record back.
 */

-- the customers columns the extension creates; any other is the operator's
CREATE OR REPLACE FUNCTION event_catalog_internal.customers_base_columns()
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT ARRAY['tenant', 'customer_id', 'exclusion_periods', 'email', 'mobile_number',
		'registration_status', 'registration_source', 'date_of_birth', 'allow_email',
		'allow_sms', 'allow_push', 'allow_whatsapp', 'is_email_verified',
		'is_mobile_verified', 'is_blocked', 'is_test', 'gender', 'country', 'city',
		'address', 'first_name', 'last_name', 'language', 'currency', 'brand', 'alias',
		'referral_type', 'affiliate_id', 'platform', 'promo_code', 'license',
		'attributes', 'attribute_versions', 'created_at', 'updated_at']
$$;
REVOKE ALL ON FUNCTION event_catalog_internal.customers_base_columns() FROM PUBLIC;

/* record the customers columns the operator added, as they are now */
CREATE OR REPLACE FUNCTION event_catalog_internal.record_customers_columns()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	DELETE FROM event_catalog.operator_ddl o
	WHERE o.kind = 'customers_column'
	  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
					  WHERE a.attrelid = 'event_catalog.customers'::pg_catalog.regclass
						AND a.attname OPERATOR(pg_catalog.=) o.name AND NOT a.attisdropped);
	INSERT INTO event_catalog.operator_ddl AS o (kind, name, definition)
	SELECT 'customers_column', a.attname,
		   pg_catalog.concat_ws(' ', pg_catalog.quote_ident(a.attname),
								pg_catalog.format_type(a.atttypid, a.atttypmod),
								'DEFAULT ' OPERATOR(pg_catalog.||) pg_catalog.pg_get_expr(ad.adbin, ad.adrelid),
								CASE WHEN a.attnotnull THEN 'NOT NULL' END)
	FROM pg_catalog.pg_attribute a
	LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
	WHERE a.attrelid = 'event_catalog.customers'::pg_catalog.regclass AND a.attnum > 0
	  AND NOT a.attisdropped
	  AND NOT a.attname OPERATOR(pg_catalog.=) ANY (event_catalog_internal.customers_base_columns())
	ON CONFLICT (kind, name) DO UPDATE SET definition = excluded.definition, recorded_at = excluded.recorded_at
	WHERE o.definition IS DISTINCT FROM excluded.definition;
END
$$;
REVOKE ALL ON FUNCTION event_catalog_internal.record_customers_columns() FROM PUBLIC;

/*
 * The event trigger, at the end of CREATE INDEX, ALTER INDEX, DROP INDEX
 * and ALTER TABLE run outside an extension script: an index on a table of
 * the extension is recorded with its definition, the customers columns the
 * operator added are recorded again, and records of what is gone are
 * removed.  SECURITY DEFINER because it runs for every such command in
 * the database, whoever runs it; only an event trigger can call it.
 */
CREATE OR REPLACE FUNCTION event_catalog_internal.record_operator_ddl()
RETURNS event_trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	c record;
	ours boolean := false;
BEGIN
	FOR c IN
		SELECT d.command_tag, d.objid, i.indrelid
		FROM pg_catalog.pg_event_trigger_ddl_commands() d
		LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = d.objid
		WHERE NOT d.in_extension AND d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
	LOOP
		IF c.command_tag IN ('CREATE INDEX', 'ALTER INDEX') AND c.indrelid IS NOT NULL
		   AND EXISTS (SELECT 1 FROM pg_catalog.pg_class t
					   WHERE t.oid = c.indrelid AND t.relnamespace = 'event_catalog'::pg_catalog.regnamespace) THEN
			INSERT INTO event_catalog.operator_ddl AS o (kind, name, definition)
			SELECT 'index', r.relname, pg_catalog.pg_get_indexdef(c.objid)
			FROM pg_catalog.pg_class r WHERE r.oid = c.objid
			ON CONFLICT (kind, name) DO UPDATE SET definition = excluded.definition, recorded_at = excluded.recorded_at
			WHERE o.definition IS DISTINCT FROM excluded.definition;
			ours := true;
		ELSIF c.command_tag = 'ALTER TABLE' AND c.objid = 'event_catalog.customers'::pg_catalog.regclass THEN
			ours := true;
		END IF;
	END LOOP;
	IF NOT ours AND TG_TAG <> 'DROP INDEX' THEN
		RETURN;
	END IF;

	-- forget indexes that are gone (dropped, renamed: the new name was recorded)
	DELETE FROM event_catalog.operator_ddl o
	WHERE o.kind = 'index'
	  AND pg_catalog.to_regclass(pg_catalog.format('event_catalog.%I', o.name)) IS NULL;

	PERFORM event_catalog_internal.record_customers_columns();
END
$$;
REVOKE ALL ON FUNCTION event_catalog_internal.record_operator_ddl() FROM PUBLIC;

/*
 * AFTER INSERT on operator_ddl: a record that pg_restore brings back is
 * applied again when its object is missing (a record the event trigger
 * just wrote finds its object there).  A customers column comes back with
 * the profile functions rebuilt, which moves the values the customers
 * restored so far kept in attributes into the column.  Not
 * SECURITY DEFINER: only the owner writes the table.
 */
CREATE OR REPLACE FUNCTION event_catalog_internal.apply_operator_ddl()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF NEW.kind = 'index' THEN
		IF pg_catalog.to_regclass(pg_catalog.format('event_catalog.%I', NEW.name)) IS NULL THEN
			IF NEW.definition !~ '^CREATE (UNIQUE )?INDEX ' THEN
				RAISE EXCEPTION 'operator_ddl row for index "%" is not an index definition', NEW.name
					USING ERRCODE = 'invalid_parameter_value';
			END IF;
			EXECUTE NEW.definition;
		END IF;
	ELSIF NEW.kind = 'customers_column' THEN
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
					   WHERE a.attrelid = 'event_catalog.customers'::pg_catalog.regclass
						 AND a.attname OPERATOR(pg_catalog.=) NEW.name AND NOT a.attisdropped) THEN
			EXECUTE pg_catalog.format('ALTER TABLE event_catalog.customers ADD COLUMN %s', NEW.definition);
			PERFORM event_catalog.build_profile_functions();
		END IF;
	ELSIF NEW.kind = 'tenant_isolation' THEN
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_policy p
					   WHERE p.polrelid = 'event_catalog.events'::pg_catalog.regclass
						 AND p.polname = 'tenant_isolation') THEN
			PERFORM event_catalog_internal.set_tenant_isolation(true);
		END IF;
	END IF;
	RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION event_catalog_internal.apply_operator_ddl() FROM PUBLIC;
