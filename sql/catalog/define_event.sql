/*
 * catalog/define_event.sql
 *	  Create or replace a custom event from a JSON definition.
 */

CREATE OR REPLACE FUNCTION event_catalog.define_event(definition jsonb)
RETURNS text
LANGUAGE plpgsql VOLATILE STRICT
-- as the owner: the rules it calls are internal; only the admin may call it
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	c_types		constant text[] := event_catalog_internal.vocabulary('data_type');
	c_reqs		constant text[] := event_catalog_internal.vocabulary('requirement');
	c_channels	constant text[] := event_catalog_internal.vocabulary('channel');
	c_max_params constant integer := event_catalog_internal.limit_value('max_params');
	c_key_max	constant integer := event_catalog_internal.limit_value('key_max_length');
	v_key		text;
	v_existing	event_catalog.event_types;
	v_param		jsonb;
	v_pkey		text;
	v_type		text;
	v_req		text;
	v_chan		text;
	v_allowed	text[];
	v_maxlen	integer;
	v_attr		text;
	v_field		text;
	v_pos		integer := 0;
	v_base		integer := 0;
	v_seen		text[] := '{}';
	v_builtin_p	event_catalog.event_params;
	v_rows		event_catalog.event_params[] := '{}';
	v_row		event_catalog.event_params;
	v_display	text;
	v_category	text;
	v_reqcust	boolean;
	v_coltype	regtype;
	v_fits		boolean;
BEGIN
	IF jsonb_typeof(definition) <> 'object' THEN
		RAISE EXCEPTION 'event definition must be a JSON object, not %', jsonb_typeof(definition)
			USING ERRCODE = 'invalid_parameter_value';
	END IF;

	FOR v_field IN SELECT jsonb_object_keys(definition) LOOP
		IF v_field NOT IN ('event', 'display_name', 'category', 'description',
						   'requires_customer', 'fail_safe', 'builtin', 'params') THEN
			RAISE EXCEPTION 'unknown field "%" in event definition', v_field
				USING ERRCODE = 'invalid_parameter_value',
					  HINT = 'Known fields: event, display_name, category, description, requires_customer, params.';
		END IF;
	END LOOP;

	IF jsonb_typeof(definition->'event') IS DISTINCT FROM 'string' THEN
		RAISE EXCEPTION 'field "event" of an event definition must be a string'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	v_key := definition->>'event';
	IF NOT event_catalog_internal.is_catalog_key(v_key) THEN
		RAISE EXCEPTION 'event key "%" is not snake_case', v_key
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('Event keys are lower-case words separated by single underscores, at most %s characters.', c_key_max);
	END IF;

	FOREACH v_field IN ARRAY ARRAY['display_name', 'category', 'description'] LOOP
		IF definition ? v_field AND jsonb_typeof(definition->v_field) NOT IN ('string', 'null') THEN
			RAISE EXCEPTION 'field "%" of event "%" must be a string', v_field, v_key
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
	END LOOP;
	FOREACH v_field IN ARRAY ARRAY['requires_customer', 'fail_safe', 'builtin'] LOOP
		IF definition ? v_field AND jsonb_typeof(definition->v_field) NOT IN ('boolean', 'null') THEN
			RAISE EXCEPTION 'field "%" of event "%" must be a boolean', v_field, v_key
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
	END LOOP;
	IF definition ? 'params' AND jsonb_typeof(definition->'params') NOT IN ('array', 'null') THEN
		RAISE EXCEPTION 'field "params" of event "%" must be an array', v_key
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF jsonb_array_length(COALESCE(definition->'params', '[]')) > c_max_params THEN
		RAISE EXCEPTION 'event "%" defines % params, more than %', v_key,
			jsonb_array_length(definition->'params'), c_max_params
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = format('Optimove accepts at most %s parameters per event.', c_max_params);
	END IF;

	v_display := COALESCE(definition->>'display_name', v_key);
	v_category := COALESCE(definition->>'category', 'custom');
	v_reqcust := COALESCE((definition->>'requires_customer')::boolean, false);
	IF NOT event_catalog_internal.is_snake_case(v_category) THEN
		RAISE EXCEPTION 'category "%" of event "%" is not snake_case', v_category, v_key
			USING ERRCODE = 'invalid_parameter_value';
	END IF;

	-- serialize definitions of the same event
	PERFORM pg_advisory_xact_lock(hashtext('event_catalog.define_event'), hashtext(v_key));
	SELECT * INTO v_existing FROM event_catalog.event_types WHERE event_key = v_key FOR UPDATE;

	IF v_existing.builtin THEN
		-- builtin events keep their definition; only custom params may change
		IF (definition ? 'display_name' AND definition->>'display_name' IS DISTINCT FROM v_existing.display_name)
		   OR (definition ? 'category' AND definition->>'category' IS DISTINCT FROM v_existing.category)
		   OR (definition ? 'description' AND definition->>'description' IS DISTINCT FROM v_existing.description)
		   OR (definition ? 'requires_customer' AND v_reqcust IS DISTINCT FROM v_existing.requires_customer)
		   OR (definition ? 'fail_safe' AND (definition->>'fail_safe')::boolean IS DISTINCT FROM v_existing.fail_safe) THEN
			RAISE EXCEPTION 'cannot replace builtin event "%"', v_key
				USING ERRCODE = 'insufficient_privilege',
					  DETAIL = 'Builtin events keep their definition; only custom params can be added to them.',
					  HINT = 'Give only "event" and "params" for a builtin event.';
		END IF;
		SELECT COALESCE(max(position), 0) INTO v_base
		FROM event_catalog.event_params WHERE event_key = v_key AND builtin;
	ELSIF (definition->>'builtin')::boolean OR (definition->>'fail_safe')::boolean THEN
		RAISE EXCEPTION 'event "%" cannot be defined as builtin or fail_safe', v_key
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'Only the seeded OOTB events are builtin, and only the self-exclusion events are fail-safe.';
	END IF;

	FOR v_param IN SELECT value FROM jsonb_array_elements(COALESCE(definition->'params', '[]')) LOOP
		v_pos := v_pos + 1;
		IF jsonb_typeof(v_param) <> 'object' THEN
			RAISE EXCEPTION 'param % of event "%" must be a JSON object', v_pos, v_key
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
		FOR v_field IN SELECT jsonb_object_keys(v_param) LOOP
			IF v_field NOT IN ('key', 'type', 'requirement', 'channel', 'allowed_values',
							   'max_length', 'profile_attribute', 'description', 'builtin') THEN
				RAISE EXCEPTION 'unknown field "%" in param % of event "%"', v_field, v_pos, v_key
					USING ERRCODE = 'invalid_parameter_value',
						  HINT = 'Known fields: key, type, requirement, channel, allowed_values, max_length, profile_attribute, description.';
			END IF;
		END LOOP;
		IF jsonb_typeof(v_param->'key') IS DISTINCT FROM 'string' THEN
			RAISE EXCEPTION 'param % of event "%" has no string "key"', v_pos, v_key
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
		v_pkey := v_param->>'key';
		IF NOT event_catalog_internal.is_catalog_key(v_pkey) THEN
			RAISE EXCEPTION 'param key "%" of event "%" is not snake_case', v_pkey, v_key
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = format('Param keys are lower-case words separated by single underscores, at most %s characters.', c_key_max);
		END IF;
		IF v_pkey = ANY (v_seen) THEN
			RAISE EXCEPTION 'param "%" of event "%" is defined twice', v_pkey, v_key
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
		v_seen := v_seen || v_pkey;

		v_type := v_param->>'type';
		IF jsonb_typeof(v_param->'type') IS DISTINCT FROM 'string'
		   OR v_type <> ALL (c_types) THEN
			RAISE EXCEPTION 'param "%" of event "%" has invalid type %', v_pkey, v_key,
				COALESCE((v_param->'type')::text, 'null')
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = format('The type is one of %s.', array_to_string(c_types, ', '));
		END IF;

		v_req := COALESCE(v_param->>'requirement', 'optional');
		IF v_req <> ALL (c_reqs) THEN
			RAISE EXCEPTION 'param "%" of event "%" has invalid requirement "%"', v_pkey, v_key, v_req
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = format('The requirement is one of %s.', array_to_string(c_reqs, ', '));
		END IF;
		v_chan := v_param->>'channel';
		IF (v_req = 'channel') <> (v_chan IS NOT NULL)
		   OR v_chan <> ALL (c_channels) THEN
			RAISE EXCEPTION 'param "%" of event "%" has invalid channel %', v_pkey, v_key,
				COALESCE((v_param->'channel')::text, 'null')
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = format('A param with requirement "channel" names one of %s; other params name none.',
									  array_to_string(c_channels, ', '));
		END IF;

		v_allowed := NULL;
		IF v_param->'allowed_values' IS NOT NULL AND v_param->'allowed_values' <> 'null' THEN
			IF jsonb_typeof(v_param->'allowed_values') <> 'array'
			   OR jsonb_array_length(v_param->'allowed_values') = 0 THEN
				RAISE EXCEPTION 'allowed_values of param "%" of event "%" must be a non-empty array', v_pkey, v_key
					USING ERRCODE = 'invalid_parameter_value';
			END IF;
			IF v_type NOT IN ('string', 'number') THEN
				RAISE EXCEPTION 'param "%" of event "%" has type % and cannot have allowed_values', v_pkey, v_key, v_type
					USING ERRCODE = 'invalid_parameter_value',
						  DETAIL = 'Only string and number params take allowed_values.';
			END IF;
			IF EXISTS (SELECT 1 FROM jsonb_array_elements(v_param->'allowed_values') e
					   WHERE jsonb_typeof(e) <> v_type) THEN
				RAISE EXCEPTION 'allowed_values of param "%" of event "%" must all be of type %', v_pkey, v_key, v_type
					USING ERRCODE = 'invalid_parameter_value';
			END IF;
			SELECT array_agg(e #>> '{}') INTO v_allowed
			FROM jsonb_array_elements(v_param->'allowed_values') e;
		END IF;

		v_maxlen := NULL;
		IF v_param ? 'max_length' AND v_param->'max_length' <> 'null' THEN
			IF v_type <> 'string' THEN
				RAISE EXCEPTION 'param "%" of event "%" has type % and cannot have max_length', v_pkey, v_key, v_type
					USING ERRCODE = 'invalid_parameter_value';
			END IF;
			IF jsonb_typeof(v_param->'max_length') <> 'number'
			   OR (v_param->>'max_length')::numeric <> trunc((v_param->>'max_length')::numeric)
			   OR (v_param->>'max_length')::numeric NOT BETWEEN 1 AND 1000000 THEN
				RAISE EXCEPTION 'max_length of param "%" of event "%" must be an integer from 1 to 1000000', v_pkey, v_key
					USING ERRCODE = 'invalid_parameter_value';
			END IF;
			v_maxlen := (v_param->>'max_length')::integer;
		ELSIF v_type = 'string' THEN
			v_maxlen := event_catalog_internal.limit_value('default_max_length');
		END IF;

		v_attr := NULL;
		IF v_param ? 'profile_attribute' AND v_param->'profile_attribute' <> 'null' THEN
			IF jsonb_typeof(v_param->'profile_attribute') <> 'string'
			   OR NOT event_catalog_internal.is_snake_case(v_param->>'profile_attribute') THEN
				RAISE EXCEPTION 'profile_attribute of param "%" of event "%" must be a snake_case name', v_pkey, v_key
					USING ERRCODE = 'invalid_parameter_value';
			END IF;
			v_attr := v_param->>'profile_attribute';
			-- a typed column of customers takes only values it can hold: a
			-- string param must not clear a boolean such as is_blocked
			SELECT c.type INTO v_coltype
			FROM event_catalog_internal.profile_columns() c WHERE c.name = v_attr;
			v_fits := CASE
					WHEN v_coltype IS NULL THEN true
					WHEN v_coltype = 'boolean'::regtype THEN
						v_type = 'boolean' OR (v_type = 'string' AND v_allowed IS NOT NULL
											   AND v_allowed <@ ARRAY['Yes', 'No'])
					WHEN v_coltype = 'date'::regtype THEN v_type = 'date'
					WHEN v_coltype IN ('timestamp with time zone'::regtype, 'timestamp without time zone'::regtype)
						THEN v_type IN ('timestamp', 'date')
					WHEN v_coltype IN ('smallint'::regtype, 'integer'::regtype, 'bigint'::regtype,
									   'numeric'::regtype, 'real'::regtype, 'double precision'::regtype)
						THEN v_type = 'number'
					WHEN v_coltype IN ('text'::regtype, 'character varying'::regtype) THEN true
					ELSE v_type = 'string'
				END;
			IF v_attr = ANY (event_catalog_internal.bookkeeping_columns()) THEN
				RAISE EXCEPTION 'profile_attribute "%" of param "%" of event "%" is a bookkeeping column of customers',
						v_attr, v_pkey, v_key
					USING ERRCODE = 'invalid_parameter_value';
			ELSIF NOT event_catalog_internal.is_checked_column_type(v_coltype) THEN
				-- validation could not tell which values the column can hold
				RAISE EXCEPTION 'param "%" of event "%" cannot feed profile column "%" of type %',
						v_pkey, v_key, v_attr, v_coltype
					USING ERRCODE = 'feature_not_supported',
						  DETAIL = 'Validation cannot check values against a column of this type.',
						  HINT = 'Profile columns may be text, character varying(n), smallint, integer, bigint, numeric(p,s), real, double precision, boolean, date or timestamp with time zone.';
			ELSIF NOT v_fits THEN
				RAISE EXCEPTION 'param "%" of event "%" of type % cannot feed profile column "%" of type %',
						v_pkey, v_key, v_type, v_attr, v_coltype
					USING ERRCODE = 'invalid_parameter_value',
						  HINT = CASE WHEN v_coltype = 'boolean'::regtype
									  THEN 'A boolean column takes a boolean param, or a string param with allowed_values among Yes and No.'
									  ELSE 'Give the param the type of the column, or map it to another attribute.' END;
			END IF;
		END IF;

		IF v_existing.builtin THEN
			SELECT * INTO v_builtin_p FROM event_catalog.event_params
			WHERE event_key = v_key AND param_key = v_pkey AND builtin;
			IF FOUND THEN
				-- an exported builtin param is accepted back unchanged
				IF v_builtin_p.data_type IS DISTINCT FROM v_type
				   OR v_builtin_p.requirement IS DISTINCT FROM v_req
				   OR v_builtin_p.channel IS DISTINCT FROM v_chan
				   OR v_builtin_p.allowed_values IS DISTINCT FROM v_allowed
				   OR v_builtin_p.max_length IS DISTINCT FROM v_maxlen
				   OR v_builtin_p.profile_attribute IS DISTINCT FROM v_attr THEN
					RAISE EXCEPTION 'cannot change builtin param "%" of event "%"', v_pkey, v_key
						USING ERRCODE = 'insufficient_privilege',
							  DETAIL = 'Builtin params keep their definition.';
				END IF;
				CONTINUE;
			END IF;
		END IF;

		v_row := ROW(v_key, v_pkey, v_base + v_pos, v_type, v_req, v_chan, v_allowed, v_maxlen,
					 v_attr, v_param->>'description', false);
		v_rows := v_rows || v_row;
	END LOOP;

	IF v_existing.event_key IS NULL THEN
		INSERT INTO event_catalog.event_types
			(event_key, display_name, category, description, builtin, requires_customer, fail_safe)
		VALUES (v_key, v_display, v_category, definition->>'description', false, v_reqcust, false);
	ELSIF NOT v_existing.builtin THEN
		UPDATE event_catalog.event_types
		SET display_name = v_display, category = v_category,
			description = definition->>'description', requires_customer = v_reqcust,
			updated_at = now()
		WHERE event_key = v_key;
	END IF;

	DELETE FROM event_catalog.event_params WHERE event_key = v_key AND NOT builtin;
	INSERT INTO event_catalog.event_params SELECT * FROM unnest(v_rows);
	RETURN v_key;
END
$$;

COMMENT ON FUNCTION event_catalog.define_event(jsonb) IS
	'Create or replace a custom event from a JSON definition; builtin events can be given extra params.';

REVOKE ALL ON FUNCTION event_catalog.define_event(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION event_catalog.define_event(jsonb) TO event_catalog_admin;
