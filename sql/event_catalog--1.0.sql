/*
 * event_catalog--1.0.sql
 *	  Install script of event_catalog 1.0: the event catalog (event types and
 *	  their params, seeded with Optimove's OOTB events), catalog management
 *	  functions and the C validators.
 */

\echo Use "CREATE EXTENSION event_catalog" to load this file. \quit

-------------------------------------------------------------------------------
-- The catalog
-------------------------------------------------------------------------------

CREATE TABLE event_catalog.event_types (
	event_key			text PRIMARY KEY,
	display_name		text NOT NULL,
	category			text NOT NULL DEFAULT 'custom',
	description			text,
	builtin				boolean NOT NULL DEFAULT false,
	requires_customer	boolean NOT NULL DEFAULT false,
	fail_safe			boolean NOT NULL DEFAULT false,
	updated_at			timestamptz NOT NULL DEFAULT pg_catalog.now(),
	CONSTRAINT event_types_key_snake_case
		CHECK (event_key OPERATOR(pg_catalog.~) '^[a-z][a-z0-9]*(_[a-z0-9]+)*$'
			   AND pg_catalog.length(event_key) <= 100),
	CONSTRAINT event_types_category_snake_case
		CHECK (category OPERATOR(pg_catalog.~) '^[a-z][a-z0-9]*(_[a-z0-9]+)*$')
);

COMMENT ON TABLE event_catalog.event_types IS
	'One row per event key that event_catalog validates; builtin rows are Optimove''s OOTB events.';

CREATE TABLE event_catalog.event_params (
	event_key			text NOT NULL
		REFERENCES event_catalog.event_types (event_key) ON DELETE CASCADE,
	param_key			text NOT NULL,
	position			integer NOT NULL,
	data_type			text NOT NULL,
	requirement			text NOT NULL DEFAULT 'optional',
	channel				text,
	allowed_values		text[],
	max_length			integer,
	profile_attribute	text,
	description			text,
	builtin				boolean NOT NULL DEFAULT false,
	PRIMARY KEY (event_key, param_key),
	CONSTRAINT event_params_key_snake_case
		CHECK (param_key OPERATOR(pg_catalog.~) '^[a-z][a-z0-9]*(_[a-z0-9]+)*$'
			   AND pg_catalog.length(param_key) <= 100),
	CONSTRAINT event_params_data_type
		CHECK (data_type IN ('string', 'number', 'boolean', 'date', 'timestamp')),
	CONSTRAINT event_params_requirement
		CHECK (requirement IN ('mandatory', 'channel', 'enrichment', 'optional')),
	CONSTRAINT event_params_channel
		CHECK ((requirement = 'channel') = (channel IS NOT NULL)
			   AND (channel IS NULL OR channel IN ('email', 'sms', 'push', 'whatsapp'))),
	CONSTRAINT event_params_max_length
		CHECK (max_length IS NULL OR (data_type = 'string' AND max_length > 0)),
	CONSTRAINT event_params_allowed_values
		CHECK (allowed_values IS NULL
			   OR (data_type IN ('string', 'number')
				   AND pg_catalog.cardinality(allowed_values) > 0
				   AND pg_catalog.array_position(allowed_values, NULL) IS NULL)),
	CONSTRAINT event_params_profile_attribute
		CHECK (profile_attribute OPERATOR(pg_catalog.~) '^[a-z][a-z0-9]*(_[a-z0-9]+)*$')
);

COMMENT ON TABLE event_catalog.event_params IS
	'One row per (event_key, param_key): the type and rules of each context param.';

-- user rows survive pg_dump; seeded rows come back with CREATE EXTENSION
SELECT pg_catalog.pg_extension_config_dump('event_catalog.event_types', 'WHERE NOT builtin');
SELECT pg_catalog.pg_extension_config_dump('event_catalog.event_params', 'WHERE NOT builtin');

-- every change to the catalog invalidates each backend's cached copy
CREATE FUNCTION event_catalog.catalog_changed()
RETURNS trigger
AS 'MODULE_PATHNAME', 'ec_catalog_changed'
LANGUAGE C;

CREATE TRIGGER event_types_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON event_catalog.event_types
	FOR EACH STATEMENT EXECUTE FUNCTION event_catalog.catalog_changed();
CREATE TRIGGER event_params_changed
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON event_catalog.event_params
	FOR EACH STATEMENT EXECUTE FUNCTION event_catalog.catalog_changed();

-------------------------------------------------------------------------------
-- Seed: Optimove's OOTB events (shared/reference/optimove-ootb-events.md)
-------------------------------------------------------------------------------

INSERT INTO event_catalog.event_types
	(event_key, display_name, category, description, builtin, requires_customer, fail_safe)
VALUES
	('ootb_user_details_update', 'User Details Update', 'profile',
	 'A user updated profile or registration details; the values overwrite the customer profile.',
	 true, true, false),
	('ootb_registration_initiated', 'OOTB Registration Initiated', 'registration',
	 'A user began the registration process.', true, false, false),
	('ootb_registration_failed', 'OOTB Registration Failed', 'registration',
	 'A registration attempt failed (params of both documented versions).', true, false, false),
	('ootb_registration', 'Registration', 'registration',
	 'A user submitted or updated registration information (status Started, Completed or Failed).',
	 true, false, false),
	('ootb_self_exclusion_initiated', 'OOTB Self-Exclusion Initiated', 'self_exclusion',
	 'The user started the self-exclusion process.', true, true, true),
	('ootb_self_exclusion_activated', 'OOTB Self-Exclusion Activated', 'self_exclusion',
	 'The self-exclusion is now active.', true, true, true),
	('ootb_self_exclusion_updated', 'OOTB Self-Exclusion Updated', 'self_exclusion',
	 'The details of an existing self-exclusion changed.', true, true, true),
	('ootb_self_exclusion_violation_attempt', 'OOTB Self-Exclusion Violation Attempt', 'self_exclusion',
	 'A self-excluded user tried to bypass the exclusion.', true, true, true),
	('ootb_self_exclusion_lifted', 'OOTB Self-Exclusion Lifted', 'self_exclusion',
	 'The self-exclusion ended.', true, true, true),
	('ootb_login', 'OOTB Login', 'account', 'A successful login.', true, false, false),
	('ootb_deposit', 'OOTB Deposit', 'payment', 'The user made (or initiated) a deposit.', true, false, false),
	('ootb_withdrawal', 'OOTB Withdrawal', 'payment', 'The user made a withdrawal.', true, false, false),
	('ootb_balance_update', 'OOTB Balance Update', 'payment',
	 'The monetary balance changed (deposit, withdrawal, bet, win, correction).', true, false, false),
	('ootb_deposit_limit_updated', 'OOTB Deposit Limit Updated', 'responsible_gaming',
	 'A deposit limit was set or changed.', true, false, false);

-- User Details Update: classification from its Events-based Integration column
INSERT INTO event_catalog.event_params
	(event_key, param_key, position, data_type, requirement, channel, allowed_values,
	 max_length, profile_attribute, description, builtin)
SELECT 'ootb_user_details_update', p.key, p.pos, p.type, p.req, p.chan, p.allowed,
	   CASE WHEN p.type = 'string' THEN 255 END, p.attr, p.descr, true
FROM (VALUES
	(1, 'ootb_email', 'string', 'channel', 'email', NULL::text[], 'email', 'The customer''s email address.'),
	(2, 'ootb_mobile_number', 'string', 'channel', 'sms', NULL, 'mobile_number', 'The customer''s mobile phone number.'),
	(3, 'ootb_status', 'string', 'optional', NULL, '{Started,Completed,Failed}', 'registration_status', 'Registration status.'),
	(4, 'ootb_registration_source', 'string', 'optional', NULL, NULL, 'registration_source', 'Where registration was initiated.'),
	(5, 'ootb_date_of_birth', 'date', 'enrichment', NULL, NULL, 'date_of_birth', 'Date of birth (YYYY-MM-DD).'),
	(6, 'ootb_allow_email', 'string', 'channel', 'email', '{Yes,No}', 'allow_email', 'Consent to email notifications.'),
	(7, 'ootb_allow_sms', 'string', 'channel', 'sms', '{Yes,No}', 'allow_sms', 'Consent to SMS notifications.'),
	(8, 'ootb_allow_push', 'string', 'channel', 'push', '{Yes,No}', 'allow_push', 'Consent to push notifications.'),
	(9, 'ootb_allow_whatsapp', 'string', 'channel', 'whatsapp', '{Yes,No}', 'allow_whatsapp', 'Consent to WhatsApp notifications.'),
	(10, 'ootb_is_email_verified', 'boolean', 'enrichment', NULL, NULL, 'is_email_verified', 'Whether the email is verified.'),
	(11, 'ootb_is_mobile_verified', 'boolean', 'enrichment', NULL, NULL, 'is_mobile_verified', 'Whether the mobile number is verified.'),
	(12, 'ootb_is_blocked', 'boolean', 'enrichment', NULL, NULL, 'is_blocked', 'Customer blocked status.'),
	(13, 'ootb_is_test', 'boolean', 'enrichment', NULL, NULL, 'is_test', 'Test account flag.'),
	(14, 'ootb_gender', 'string', 'enrichment', NULL, NULL, 'gender', 'Customer gender.'),
	(15, 'ootb_country', 'string', 'enrichment', NULL, NULL, 'country', 'Country code.'),
	(16, 'ootb_city', 'string', 'enrichment', NULL, NULL, 'city', 'Customer''s city.'),
	(17, 'ootb_address', 'string', 'enrichment', NULL, NULL, 'address', 'Customer''s address.'),
	(18, 'ootb_first_name', 'string', 'enrichment', NULL, NULL, 'first_name', 'Customer''s first name.'),
	(19, 'ootb_last_name', 'string', 'enrichment', NULL, NULL, 'last_name', 'Customer''s last name.'),
	(20, 'ootb_language', 'string', 'enrichment', NULL, NULL, 'language', 'Language preference.'),
	(21, 'ootb_currency', 'string', 'enrichment', NULL, NULL, 'currency', 'Preferred currency code.'),
	(22, 'ootb_brand', 'string', 'enrichment', NULL, NULL, 'brand', 'Brand identifier.'),
	(23, 'ootb_alias', 'string', 'enrichment', NULL, NULL, 'alias', 'Gaming alias or username.'),
	(24, 'ootb_referral_type', 'string', 'enrichment', NULL, NULL, 'referral_type', 'How the user was referred.'),
	(25, 'ootb_affiliate_id', 'string', 'optional', NULL, NULL, 'affiliate_id', 'Affiliate identifier or name.'),
	(26, 'ootb_platform', 'string', 'enrichment', NULL, NULL, 'platform', 'Platform used during registration.'),
	(27, 'ootb_promo_code', 'string', 'optional', NULL, NULL, 'promo_code', 'Promotional code applied during registration.'),
	(28, 'ootb_license', 'string', 'optional', NULL, NULL, 'license', 'License or regulation identifier.')
) AS p(pos, key, type, req, chan, allowed, attr, descr);

-- Registration carries the same params; its page marks none of them
INSERT INTO event_catalog.event_params
	(event_key, param_key, position, data_type, requirement, channel, allowed_values,
	 max_length, profile_attribute, description, builtin)
SELECT 'ootb_registration', param_key, position, data_type, 'optional', NULL, allowed_values,
	   max_length, profile_attribute, description, true
FROM event_catalog.event_params
WHERE event_key = 'ootb_user_details_update';

-- every other seeded param: (event, position, key, type, requirement, allowed, description)
INSERT INTO event_catalog.event_params
	(event_key, param_key, position, data_type, requirement, allowed_values,
	 max_length, description, builtin)
SELECT p.ev, p.key, p.pos, p.type, p.req, p.allowed,
	   CASE WHEN p.type = 'string' THEN 255 END, p.descr, true
FROM (VALUES
	-- registration initiated
	('ootb_registration_initiated', 1, 'ootb_session_id', 'string', 'optional', NULL::text[], 'Unique session identifier.'),
	('ootb_registration_initiated', 2, 'ootb_form_location', 'string', 'optional', NULL, 'Where the form was opened.'),
	('ootb_registration_initiated', 3, 'ootb_referral_source', 'string', 'optional', NULL, 'Source that referred the user.'),
	('ootb_registration_initiated', 4, 'ootb_language', 'string', 'optional', NULL, 'User language during registration.'),
	-- registration failed: union of both documented versions
	('ootb_registration_failed', 1, 'ootb_session_id', 'string', 'optional', NULL, 'Unique session identifier.'),
	('ootb_registration_failed', 2, 'ootb_eventdatetime', 'timestamp', 'optional', NULL, 'Time of the failed attempt.'),
	('ootb_registration_failed', 3, 'ootb_email', 'string', 'optional', NULL, 'Email that was attempted.'),
	('ootb_registration_failed', 4, 'ootb_form_location', 'string', 'optional', NULL, 'Where the attempt failed.'),
	('ootb_registration_failed', 5, 'ootb_referral_source', 'string', 'optional', NULL, 'Source that referred the user.'),
	('ootb_registration_failed', 6, 'ootb_language', 'string', 'optional', NULL, 'UI language.'),
	('ootb_registration_failed', 7, 'ootb_country', 'string', 'optional', NULL, 'Country code.'),
	('ootb_registration_failed', 8, 'ootb_failure_reason', 'string', 'optional', NULL, 'Reason of the failure.'),
	('ootb_registration_failed', 9, 'ootb_failure_code', 'string', 'optional', NULL, 'System code of the failure.'),
	-- self-exclusion initiated
	('ootb_self_exclusion_initiated', 1, 'ootb_self_exclusion_start_date', 'timestamp', 'optional', NULL, 'When the exclusion starts.'),
	('ootb_self_exclusion_initiated', 2, 'ootb_self_exclusion_duration', 'string', 'optional', NULL, 'Requested duration, e.g. 7_days.'),
	('ootb_self_exclusion_initiated', 3, 'ootb_self_exclusion_expiry_date', 'timestamp', 'optional', NULL, 'When the exclusion ends.'),
	('ootb_self_exclusion_initiated', 4, 'ootb_exclusion_type', 'number', 'optional', '{0,1}', '0 = self-exclusion, 1 = cool-off.'),
	('ootb_self_exclusion_initiated', 5, 'ootb_reason', 'string', 'optional', NULL, 'Reason, e.g. user_requested.'),
	-- self-exclusion activated
	('ootb_self_exclusion_activated', 1, 'ootb_self_exclusion_start_date', 'timestamp', 'optional', NULL, 'Exact start of the active exclusion.'),
	('ootb_self_exclusion_activated', 2, 'ootb_self_exclusion_expiry_date', 'timestamp', 'optional', NULL, 'Exact end of the active exclusion.'),
	-- self-exclusion updated
	('ootb_self_exclusion_updated', 1, 'ootb_self_exclusion_start_date', 'timestamp', 'optional', NULL, 'The updated start.'),
	('ootb_self_exclusion_updated', 2, 'ootb_self_exclusion_duration', 'string', 'optional', NULL, 'The updated duration.'),
	('ootb_self_exclusion_updated', 3, 'ootb_self_exclusion_expiry_date', 'timestamp', 'optional', NULL, 'The updated expiry.'),
	('ootb_self_exclusion_updated', 4, 'ootb_exclusion_type', 'number', 'optional', '{0,1}', '0 = self-exclusion, 1 = cool-off.'),
	('ootb_self_exclusion_updated', 5, 'ootb_reason', 'string', 'optional', NULL, 'The updated reason.'),
	-- self-exclusion violation attempt
	('ootb_self_exclusion_violation_attempt', 1, 'ootb_violation_attempt_timestamp', 'timestamp', 'optional', NULL, 'When the attempt happened.'),
	('ootb_self_exclusion_violation_attempt', 2, 'ootb_attempted_action', 'string', 'optional', NULL, 'E.g. login_attempt, bet_attempt.'),
	-- self-exclusion lifted
	('ootb_self_exclusion_lifted', 1, 'ootb_self_exclusion_end_date', 'timestamp', 'optional', NULL, 'When the exclusion ends or ended.'),
	-- login: every param optional
	('ootb_login', 1, 'ootb_login_timestamp', 'timestamp', 'optional', NULL, 'Time of the login.'),
	('ootb_login', 2, 'ootb_balance', 'number', 'optional', NULL, 'Balance at login.'),
	('ootb_login', 3, 'ootb_is_first_login', 'boolean', 'optional', NULL, 'Whether this is the first login.'),
	('ootb_login', 4, 'ootb_session_ref', 'string', 'optional', NULL, 'Session reference.'),
	('ootb_login', 5, 'ootb_ccy_code', 'string', 'optional', NULL, 'Currency code, e.g. USD.'),
	('ootb_login', 6, 'ootb_language', 'string', 'optional', NULL, 'Language, e.g. en.'),
	('ootb_login', 7, 'ootb_country', 'string', 'optional', NULL, 'Country, e.g. US.'),
	('ootb_login', 8, 'ootb_platform', 'string', 'optional', NULL, 'iOS, Android, Web.'),
	('ootb_login', 9, 'ootb_channel', 'string', 'optional', NULL, 'mobile, web, app.'),
	('ootb_login', 10, 'ootb_skin_id', 'string', 'optional', NULL, 'Skin identifier.'),
	('ootb_login', 11, 'ootb_license', 'string', 'optional', NULL, 'License identifier.'),
	-- deposit: timestamp, amount and status are documented as required
	('ootb_deposit', 1, 'ootb_transaction_id', 'string', 'optional', NULL, 'Transaction identifier.'),
	('ootb_deposit', 2, 'ootb_deposit_timestamp', 'timestamp', 'mandatory', NULL, 'Time of the deposit.'),
	('ootb_deposit', 3, 'ootb_start_balance', 'number', 'optional', NULL, 'Balance before the deposit.'),
	('ootb_deposit', 4, 'ootb_deposit_amount', 'number', 'mandatory', NULL, 'Deposited amount.'),
	('ootb_deposit', 5, 'ootb_deposit_method', 'string', 'optional', NULL, 'E.g. credit_card.'),
	('ootb_deposit', 6, 'ootb_deposit_status', 'string', 'mandatory', NULL, 'E.g. initiated, pending, completed, failed.'),
	('ootb_deposit', 7, 'ootb_language', 'string', 'optional', NULL, 'Language.'),
	('ootb_deposit', 8, 'ootb_country', 'string', 'optional', NULL, 'Country.'),
	('ootb_deposit', 9, 'ootb_platform', 'string', 'optional', NULL, 'Platform.'),
	('ootb_deposit', 10, 'ootb_channel', 'string', 'optional', NULL, 'Channel.'),
	('ootb_deposit', 11, 'ootb_brand', 'string', 'optional', NULL, 'Brand.'),
	('ootb_deposit', 12, 'ootb_license', 'string', 'optional', NULL, 'License.'),
	-- withdrawal: transaction id and timestamp are documented as mandatory
	('ootb_withdrawal', 1, 'ootb_transaction_id', 'string', 'mandatory', NULL, 'Transaction identifier.'),
	('ootb_withdrawal', 2, 'ootb_withdrawal_timestamp', 'timestamp', 'mandatory', NULL, 'Time of the withdrawal.'),
	('ootb_withdrawal', 3, 'ootb_start_balance', 'number', 'optional', NULL, 'Balance before the withdrawal.'),
	('ootb_withdrawal', 4, 'ootb_withdrawal_amount', 'number', 'optional', NULL, 'Withdrawn amount.'),
	('ootb_withdrawal', 5, 'ootb_withdrawal_method', 'string', 'optional', NULL, 'Withdrawal method.'),
	('ootb_withdrawal', 6, 'ootb_withdrawal_status', 'string', 'optional', NULL, 'Withdrawal status.'),
	('ootb_withdrawal', 7, 'ootb_language', 'string', 'optional', NULL, 'Language.'),
	('ootb_withdrawal', 8, 'ootb_country', 'string', 'optional', NULL, 'Country.'),
	('ootb_withdrawal', 9, 'ootb_platform', 'string', 'optional', NULL, 'Platform.'),
	('ootb_withdrawal', 10, 'ootb_channel', 'string', 'optional', NULL, 'Channel.'),
	('ootb_withdrawal', 11, 'ootb_brand', 'string', 'optional', NULL, 'Brand.'),
	('ootb_withdrawal', 12, 'ootb_license', 'string', 'optional', NULL, 'License.'),
	-- balance update
	('ootb_balance_update', 1, 'ootb_transaction_id', 'string', 'optional', NULL, 'Transaction identifier.'),
	('ootb_balance_update', 2, 'ootb_action', 'string', 'optional', NULL, 'deposit, withdrawal, bet, win or correction.'),
	('ootb_balance_update', 3, 'ootb_update_amount', 'number', 'optional', NULL, 'Signed change of the balance.'),
	('ootb_balance_update', 4, 'ootb_bonus_amount', 'number', 'optional', NULL, 'Bonus amount.'),
	('ootb_balance_update', 5, 'ootb_balance_before', 'number', 'optional', NULL, 'Balance before the change.'),
	('ootb_balance_update', 6, 'ootb_balance_after', 'number', 'optional', NULL, 'Balance after the change.'),
	('ootb_balance_update', 7, 'ootb_change_rate', 'number', 'optional', NULL, 'Relative change, 0.2 = +20%.'),
	-- deposit limit updated
	('ootb_deposit_limit_updated', 1, 'ootb_deposit_limit_daily', 'number', 'optional', NULL, 'Daily limit.'),
	('ootb_deposit_limit_updated', 2, 'ootb_deposit_limit_weekly', 'number', 'optional', NULL, 'Weekly limit.'),
	('ootb_deposit_limit_updated', 3, 'ootb_deposit_limit_monthly', 'number', 'optional', NULL, 'Monthly limit.'),
	('ootb_deposit_limit_updated', 4, 'ootb_deposit_limit_lifetime', 'number', 'optional', NULL, 'Lifetime limit.'),
	('ootb_deposit_limit_updated', 5, 'ootb_deposit_limit_change_rate_daily', 'number', 'optional', NULL, 'Change of the daily limit, %.'),
	('ootb_deposit_limit_updated', 6, 'ootb_deposit_limit_change_rate_weekly', 'number', 'optional', NULL, 'Change of the weekly limit, %.'),
	('ootb_deposit_limit_updated', 7, 'ootb_deposit_limit_change_rate_monthly', 'number', 'optional', NULL, 'Change of the monthly limit, %.'),
	('ootb_deposit_limit_updated', 8, 'ootb_deposit_limit_change_rate_lifetime', 'number', 'optional', NULL, 'Change of the lifetime limit, %.'),
	('ootb_deposit_limit_updated', 9, 'ootb_limit_change_reason', 'string', 'optional', NULL, 'E.g. user_requested.'),
	('ootb_deposit_limit_updated', 10, 'ootb_limit_change_source', 'string', 'optional', NULL, 'E.g. user_preferences.')
) AS p(ev, pos, key, type, req, allowed, descr);

-- the four metadata params shared by the five self-exclusion events
INSERT INTO event_catalog.event_params
	(event_key, param_key, position, data_type, requirement, max_length, description, builtin)
SELECT t.event_key, m.key, 100 + m.pos, 'string', 'optional', 255, m.descr, true
FROM event_catalog.event_types t,
	 (VALUES (1, 'ootb_platform', 'Platform, e.g. iOS, Android, Web.'),
			 (2, 'ootb_channel', 'Channel, e.g. mobile, desktop, system.'),
			 (3, 'ootb_brand', 'Brand associated with the event.'),
			 (4, 'ootb_license', 'License or regulation identifier.')) AS m(pos, key, descr)
WHERE t.category = 'self_exclusion';

-------------------------------------------------------------------------------
-- Catalog management
-------------------------------------------------------------------------------

-- export one event in define_event's format
CREATE FUNCTION event_catalog.event_definition(p_event_key text)
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

CREATE FUNCTION event_catalog.export_catalog()
RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT COALESCE(pg_catalog.jsonb_agg(event_catalog.event_definition(t.event_key)
										 ORDER BY t.event_key), '[]'::jsonb)
	FROM event_catalog.event_types t
$$;

COMMENT ON FUNCTION event_catalog.export_catalog() IS
	'The whole catalog as a JSON array of event definitions, each loadable with define_event.';

CREATE FUNCTION event_catalog.define_event(definition jsonb)
RETURNS text
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	snake		constant text := '^[a-z][a-z0-9]*(_[a-z0-9]+)*$';
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
	IF v_key !~ snake OR length(v_key) > 100 THEN
		RAISE EXCEPTION 'event key "%" is not snake_case', v_key
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'Event keys are lower-case words separated by single underscores, at most 100 characters.';
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
	IF jsonb_array_length(COALESCE(definition->'params', '[]')) > 50 THEN
		RAISE EXCEPTION 'event "%" defines % params, more than 50', v_key,
			jsonb_array_length(definition->'params')
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'Optimove accepts at most 50 parameters per event.';
	END IF;

	v_display := COALESCE(definition->>'display_name', v_key);
	v_category := COALESCE(definition->>'category', 'custom');
	v_reqcust := COALESCE((definition->>'requires_customer')::boolean, false);
	IF v_category !~ snake THEN
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
		IF v_pkey !~ snake OR length(v_pkey) > 100 THEN
			RAISE EXCEPTION 'param key "%" of event "%" is not snake_case', v_pkey, v_key
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = 'Param keys are lower-case words separated by single underscores, at most 100 characters.';
		END IF;
		IF v_pkey = ANY (v_seen) THEN
			RAISE EXCEPTION 'param "%" of event "%" is defined twice', v_pkey, v_key
				USING ERRCODE = 'invalid_parameter_value';
		END IF;
		v_seen := v_seen || v_pkey;

		v_type := v_param->>'type';
		IF jsonb_typeof(v_param->'type') IS DISTINCT FROM 'string'
		   OR v_type NOT IN ('string', 'number', 'boolean', 'date', 'timestamp') THEN
			RAISE EXCEPTION 'param "%" of event "%" has invalid type %', v_pkey, v_key,
				COALESCE((v_param->'type')::text, 'null')
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = 'The type is one of string, number, boolean, date, timestamp.';
		END IF;

		v_req := COALESCE(v_param->>'requirement', 'optional');
		IF v_req NOT IN ('mandatory', 'channel', 'enrichment', 'optional') THEN
			RAISE EXCEPTION 'param "%" of event "%" has invalid requirement "%"', v_pkey, v_key, v_req
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = 'The requirement is one of mandatory, channel, enrichment, optional.';
		END IF;
		v_chan := v_param->>'channel';
		IF (v_req = 'channel') <> (v_chan IS NOT NULL)
		   OR v_chan NOT IN ('email', 'sms', 'push', 'whatsapp') THEN
			RAISE EXCEPTION 'param "%" of event "%" has invalid channel %', v_pkey, v_key,
				COALESCE((v_param->'channel')::text, 'null')
				USING ERRCODE = 'invalid_parameter_value',
					  DETAIL = 'A param with requirement "channel" names one of email, sms, push, whatsapp; other params name none.';
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
			v_maxlen := 255;
		END IF;

		v_attr := NULL;
		IF v_param ? 'profile_attribute' AND v_param->'profile_attribute' <> 'null' THEN
			IF jsonb_typeof(v_param->'profile_attribute') <> 'string'
			   OR v_param->>'profile_attribute' !~ snake THEN
				RAISE EXCEPTION 'profile_attribute of param "%" of event "%" must be a snake_case name', v_pkey, v_key
					USING ERRCODE = 'invalid_parameter_value';
			END IF;
			v_attr := v_param->>'profile_attribute';
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

CREATE FUNCTION event_catalog.drop_event(event_key text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM event_catalog.event_types t
			   WHERE t.event_key = drop_event.event_key AND t.builtin) THEN
		RAISE EXCEPTION 'cannot drop builtin event "%"', drop_event.event_key
			USING ERRCODE = 'insufficient_privilege';
	END IF;
	DELETE FROM event_catalog.event_types t WHERE t.event_key = drop_event.event_key;
	RETURN FOUND;
END
$$;

-------------------------------------------------------------------------------
-- Validation (src/validate.c)
-------------------------------------------------------------------------------

CREATE FUNCTION event_catalog.validate_event(event jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ec_validate_event'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION event_catalog.validate_event(jsonb) IS
	'Every problem of an event as a JSON array of {path, code, severity, message}; [] when clean.';

CREATE FUNCTION event_catalog.is_valid_event(event jsonb)
RETURNS boolean
AS 'MODULE_PATHNAME', 'ec_is_valid_event'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION event_catalog.is_valid_event(jsonb) IS
	'True when the event has no problem of severity error.';

CREATE FUNCTION event_catalog.assert_valid_event(event jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ec_assert_valid_event'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION event_catalog.assert_valid_event(jsonb) IS
	'The event unchanged, or an error (SQLSTATE 22023) naming its first problem.';

-------------------------------------------------------------------------------
-- Ingest (src/ingest.c): the events log, quarantine, duplicate counts
-------------------------------------------------------------------------------

CREATE TABLE event_catalog.events (
	event_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tenant			integer NOT NULL,
	event_key		text NOT NULL,
	customer_id		text COLLATE "C",
	visitor_id		text COLLATE "C",
	occurred_at		timestamptz NOT NULL,
	received_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	payload			jsonb NOT NULL,
	problems		jsonb,
	content_hash	uuid NOT NULL,
	has_effects		boolean NOT NULL DEFAULT false,
	raw_line		text,
	CONSTRAINT events_raw_line_consumed CHECK (raw_line IS NULL),
	CONSTRAINT events_identity CHECK (customer_id IS NOT NULL OR visitor_id IS NOT NULL),
	-- duplicate suppression: equal content means equal tenant and instant,
	-- so this key is unique exactly when the digest is.  Time comes before
	-- the digest so that a load, mostly in time order, inserts near the
	-- right edge of the index instead of all over it; the key also serves
	-- reports over a time range.
	CONSTRAINT events_content_key UNIQUE (tenant, occurred_at, content_hash)
);

-- a customer's events with effects, for recomputing profiles and
-- self-exclusion episodes; only those rows pay for this index (an index
-- over every row costs about a fifth of the COPY rate; see README)
CREATE INDEX events_customer_idx
	ON event_catalog.events (tenant, customer_id, occurred_at)
	WHERE has_effects;

COMMENT ON TABLE event_catalog.events IS
	'Append-only log of validated events. Load with COPY (payload) or COPY (raw_line), or track().';
COMMENT ON COLUMN event_catalog.events.raw_line IS
	'Intake column for raw NDJSON lines: parsed into payload by the insert trigger, never stored.';
COMMENT ON COLUMN event_catalog.events.content_hash IS
	'Digest of tenant, event, identity, instant and context: identical events are stored once.';
COMMENT ON COLUMN event_catalog.events.has_effects IS
	'Whether the event fed a customer profile or self-exclusion state when it was stored.';

CREATE TABLE event_catalog.rejected_events (
	rejected_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	rejected_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	rejected_by		text NOT NULL DEFAULT CURRENT_USER,
	tenant			integer,
	event_key		text,
	customer_id		text,
	payload			jsonb,
	raw_line		text,
	problems		jsonb NOT NULL
);

CREATE INDEX rejected_events_rejected_at_idx ON event_catalog.rejected_events (rejected_at);

COMMENT ON TABLE event_catalog.rejected_events IS
	'Quarantined events (event_catalog.on_invalid = quarantine) and unparsable raw lines.';

CREATE TABLE event_catalog.duplicate_counts (
	tenant			integer NOT NULL,
	event_key		text NOT NULL,
	day				date NOT NULL,
	duplicates		bigint NOT NULL,
	PRIMARY KEY (tenant, event_key, day)
);

COMMENT ON TABLE event_catalog.duplicate_counts IS
	'Events skipped because an identical event was already stored, per tenant, event and day received.';

-- loaded data survives pg_dump
SELECT pg_catalog.pg_extension_config_dump('event_catalog.events', '');
SELECT pg_catalog.pg_extension_config_dump('event_catalog.events_event_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('event_catalog.rejected_events', '');
SELECT pg_catalog.pg_extension_config_dump('event_catalog.rejected_events_rejected_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('event_catalog.duplicate_counts', '');

-- a customer, as the effect functions take them
CREATE TYPE event_catalog.customer_ref AS (tenant integer, customer_id text);

CREATE FUNCTION event_catalog.events_before_insert()
RETURNS trigger
AS 'MODULE_PATHNAME', 'ec_events_before_insert'
LANGUAGE C;

CREATE FUNCTION event_catalog.events_refuse_change()
RETURNS trigger
AS 'MODULE_PATHNAME', 'ec_events_refuse_change'
LANGUAGE C;

CREATE FUNCTION event_catalog.events_after_statement()
RETURNS trigger
AS 'MODULE_PATHNAME', 'ec_events_after_statement'
LANGUAGE C;

-- validation and derived columns, row by row, before the row is stored
CREATE TRIGGER events_validate
	BEFORE INSERT ON event_catalog.events
	FOR EACH ROW EXECUTE FUNCTION event_catalog.events_before_insert();

CREATE TRIGGER events_no_update
	BEFORE UPDATE ON event_catalog.events
	FOR EACH STATEMENT EXECUTE FUNCTION event_catalog.events_refuse_change();

CREATE TRIGGER events_no_truncate
	BEFORE TRUNCATE ON event_catalog.events
	FOR EACH STATEMENT EXECUTE FUNCTION event_catalog.events_refuse_change();

-- Effects, once per statement: the row trigger collects the ids of stored
-- events that feed profiles or self-exclusion state, and this trigger hands
-- them to apply_event_effects in one call (measured faster than a
-- transition table, which copies every stored row; see README).
CREATE TRIGGER events_effects_insert
	AFTER INSERT ON event_catalog.events
	FOR EACH STATEMENT EXECUTE FUNCTION event_catalog.events_after_statement();

-- Deleted events: the affected customers' derived state is recomputed from
-- the events that remain, once per statement.
CREATE FUNCTION event_catalog.events_after_delete()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	DELETE FROM event_catalog.consent_log l
	USING old_events o
	WHERE l.tenant = o.tenant AND l.customer_id = o.customer_id AND l.event_id = o.event_id;
	PERFORM event_catalog.recompute_customers(
		ARRAY(SELECT DISTINCT ROW(o.tenant, o.customer_id)::event_catalog.customer_ref
			  FROM old_events o
			  WHERE o.customer_id IS NOT NULL
			  ORDER BY 1));
	RETURN NULL;
END
$$;

CREATE TRIGGER events_effects_delete
	AFTER DELETE ON event_catalog.events
	REFERENCING OLD TABLE AS old_events
	FOR EACH STATEMENT EXECUTE FUNCTION event_catalog.events_after_delete();

CREATE FUNCTION event_catalog.track(event jsonb)
RETURNS bigint
AS 'MODULE_PATHNAME', 'ec_track'
LANGUAGE C VOLATILE STRICT;

COMMENT ON FUNCTION event_catalog.track(jsonb) IS
	'Validate and record one event; its event_id (the stored one for a duplicate), or null if quarantined.';

CREATE FUNCTION event_catalog.event_content_hash(event jsonb)
RETURNS uuid
AS 'MODULE_PATHNAME', 'ec_event_content_hash'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION event_catalog.event_content_hash(jsonb) IS
	'The duplicate-detection digest of an event (null when its mandatory properties are invalid).';

-------------------------------------------------------------------------------
-- Customer profiles (last writer wins per attribute by event time)
-------------------------------------------------------------------------------

CREATE TABLE event_catalog.customers (
	tenant				integer NOT NULL,
	customer_id			text COLLATE "C" NOT NULL,
	exclusion_periods	tstzmultirange,
	email				text,
	mobile_number		text,
	registration_status	text,
	registration_source	text,
	date_of_birth		date,
	allow_email			boolean,
	allow_sms			boolean,
	allow_push			boolean,
	allow_whatsapp		boolean,
	is_email_verified	boolean,
	is_mobile_verified	boolean,
	is_blocked			boolean,
	is_test				boolean,
	gender				text,
	country				text,
	city				text,
	address				text,
	first_name			text,
	last_name			text,
	language			text,
	currency			text,
	brand				text,
	alias				text,
	referral_type		text,
	affiliate_id		text,
	platform			text,
	promo_code			text,
	license				text,
	attributes			jsonb NOT NULL DEFAULT '{}',
	attribute_versions	jsonb NOT NULL DEFAULT '{}',
	created_at			timestamptz NOT NULL,
	updated_at			timestamptz NOT NULL,
	PRIMARY KEY (tenant, customer_id)
);

COMMENT ON TABLE event_catalog.customers IS
	'Customer profiles from User Details Update (and Registration) events and the upsert functions.';
COMMENT ON COLUMN event_catalog.customers.attributes IS
	'Profile attributes of custom params that map to no column.';
COMMENT ON COLUMN event_catalog.customers.attribute_versions IS
	'Per attribute, the version of its value: event time (UTC) and a content digest; the newest wins.';
COMMENT ON COLUMN event_catalog.customers.exclusion_periods IS
	'When the customer is self-excluded: the episodes from request to lift (kept by the extension from self_exclusions).';
COMMENT ON COLUMN event_catalog.customers.created_at IS
	'Time of the earliest write to this profile (event time, or call time for API writes).';
COMMENT ON COLUMN event_catalog.customers.updated_at IS
	'Time of the newest write applied to this profile.';

-- profile writes through the Customer Data API functions
CREATE TABLE event_catalog.customer_updates (
	update_id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tenant			integer NOT NULL,
	customer_id		text COLLATE "C" NOT NULL,
	attributes		jsonb NOT NULL,
	occurred_at		timestamptz NOT NULL,
	received_at		timestamptz NOT NULL DEFAULT pg_catalog.now(),
	updated_by		text NOT NULL DEFAULT CURRENT_USER
);

CREATE INDEX customer_updates_customer_idx
	ON event_catalog.customer_updates (tenant, customer_id);

COMMENT ON TABLE event_catalog.customer_updates IS
	'Writes made with upsert_customer(s); kept so that profiles can be recomputed after event deletes.';

-- every write (event or API call) that carried consent or contact
-- attributes: one row per write, with those attributes' values (one row
-- per write rather than per attribute: a fifth of the rows to insert)
CREATE TABLE event_catalog.consent_log (
	tenant			integer NOT NULL,
	customer_id		text COLLATE "C" NOT NULL,
	vals			jsonb NOT NULL,
	changed_at		timestamptz NOT NULL,
	version			text COLLATE "C" NOT NULL,
	event_id		bigint,
	update_id		bigint
);

CREATE INDEX consent_log_customer_idx
	ON event_catalog.consent_log (tenant, customer_id);

-- the changes, in event-time order: old_value is the value before
CREATE VIEW event_catalog.customer_changes AS
SELECT l.tenant, l.customer_id, l.attribute, l.old_value, l.new_value, l.changed_at,
	   l.event_id, CASE WHEN l.event_id IS NOT NULL THEN 'event' ELSE 'api' END AS source,
	   l.update_id
FROM (SELECT c.tenant, c.customer_id, c.attribute, c.value AS new_value, c.changed_at,
			 c.event_id, c.update_id,
			 pg_catalog.lag(c.value) OVER w AS old_value,
			 pg_catalog.row_number() OVER w AS n
	  FROM (SELECT g.tenant, g.customer_id, kv.key COLLATE "C" AS attribute,
				   CASE WHEN pg_catalog.jsonb_typeof(kv.value) = 'string'
						THEN NULLIF(kv.value OPERATOR(pg_catalog.#>>) '{}', '')
						ELSE kv.value::text END AS value,
				   g.changed_at, g.version, g.event_id, g.update_id
			FROM event_catalog.consent_log g, pg_catalog.jsonb_each(g.vals) kv) c
	  WINDOW w AS (PARTITION BY c.tenant, c.customer_id, c.attribute ORDER BY c.version)) l
WHERE l.n = 1 OR l.old_value IS DISTINCT FROM l.new_value;

COMMENT ON VIEW event_catalog.customer_changes IS
	'History of email, mobile number, consent and blocked status per customer, in event-time order.';

-- pg_dump keeps what was received (events, API writes); the derived tables
-- (customers, consent_log, self-exclusion episodes) are rebuilt by the
-- triggers as those are restored
SELECT pg_catalog.pg_extension_config_dump('event_catalog.customer_updates', '');
SELECT pg_catalog.pg_extension_config_dump('event_catalog.customer_updates_update_id_seq', '');

-- a date from text, or null when it is not a real YYYY-MM-DD date
CREATE FUNCTION event_catalog.to_date_or_null(value text)
RETURNS date
AS 'MODULE_PATHNAME', 'ec_to_date_or_null'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- the attributes whose history customer_changes keeps
CREATE FUNCTION event_catalog.consent_attributes()
RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT '{email,mobile_number,allow_email,allow_sms,allow_push,allow_whatsapp,is_blocked}'::text[] $$;

-- the version of a write: event time in UTC (fixed width, sorts as text),
-- then a content digest that breaks ties
CREATE FUNCTION event_catalog.write_version(at timestamptz, digest text)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT pg_catalog.to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '|' || digest $$;

-- the versions of new that are newer than those in old
CREATE FUNCTION event_catalog.newer_versions(old jsonb, new jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
	SELECT COALESCE(pg_catalog.jsonb_object_agg(n.key, n.value), '{}')
	FROM pg_catalog.jsonb_each_text(new) n
	WHERE n.value COLLATE "C" > COALESCE(old ->> n.key, '')
$$;

-- the event time of the newest version among newer_versions, or null
CREATE FUNCTION event_catalog.newest_applied(old jsonb, new jsonb)
RETURNS timestamptz
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
	SELECT pg_catalog.max(pg_catalog.split_part(n.value, '|', 1)::timestamp) AT TIME ZONE 'UTC'
	FROM pg_catalog.jsonb_each_text(new) n
	WHERE n.value COLLATE "C" > COALESCE(old ->> n.key, '')
$$;

-- custom attributes: where new_versions is newer, new_attrs replaces the
-- value, and a key written with "" is removed
CREATE FUNCTION event_catalog.merge_attributes(old_attrs jsonb, old_versions jsonb,
											   new_attrs jsonb, new_versions jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
	SELECT (old_attrs - ARRAY(SELECT pg_catalog.jsonb_object_keys(w.v)))
		   || COALESCE((SELECT pg_catalog.jsonb_object_agg(a.key, a.value)
						FROM pg_catalog.jsonb_each(new_attrs) a
						WHERE w.v ? a.key AND a.value <> '""'), '{}')
	FROM (SELECT event_catalog.newer_versions(old_versions, new_versions) AS v) w
$$;

-- {profile_attribute: value} of the context params of an event that feed
-- the profile (per the catalog), null values left out
CREATE FUNCTION event_catalog.profile_values(event_key text, payload jsonb)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ec_profile_values'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

-- Per customer, the newest write of each attribute (last writer wins by
-- version, compared as bytes): newest_values gives {attribute: value},
-- newest_versions {attribute: version}.  Used together with the same
-- arguments, the two share one transition state.
CREATE FUNCTION event_catalog.merge_writes_step(state internal, vals jsonb, version text)
RETURNS internal
AS 'MODULE_PATHNAME', 'ec_merge_writes_step'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION event_catalog.merge_writes_values(state internal)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ec_merge_writes_values'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION event_catalog.merge_writes_versions(state internal)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ec_merge_writes_versions'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- the attributes of a merged write that have no customers column, without
-- those cleared by ""
CREATE FUNCTION event_catalog.custom_attributes(vals jsonb, columns text[])
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ec_custom_attributes'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE AGGREGATE event_catalog.newest_values(vals jsonb, version text) (
	SFUNC = event_catalog.merge_writes_step,
	STYPE = internal,
	FINALFUNC = event_catalog.merge_writes_values,
	PARALLEL = SAFE
);

CREATE AGGREGATE event_catalog.newest_versions(vals jsonb, version text) (
	SFUNC = event_catalog.merge_writes_step,
	STYPE = internal,
	FINALFUNC = event_catalog.merge_writes_versions,
	PARALLEL = SAFE
);

/*
 * The body of a function that applies a set of profile writes with
 * last-writer-wins per attribute.
 *
 * source_sql is a query (one of the fixed ones below, never user text)
 * returning (tenant, customer_id, vals jsonb, version text, occurred_at,
 * event_id, update_id), one row per write ({attribute: value}), from the
 * function's $1.  Per customer and attribute, the newest version in the set
 * is merged into customers when it is newer than the stored one; with
 * keep_history, each write's consent and contact values also go to
 * consent_log, one row per write.
 * The typed columns are those of the customers table when the body is
 * built, so a column added to it (then build_profile_functions()) receives
 * the profile attribute of the same name.  Customers are written in key
 * order, so concurrent loads lock rows in one order.
 */
CREATE FUNCTION event_catalog.profile_merge_body(source_sql text, keep_history boolean)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	cols		text[] := '{}';
	sel			text := '';
	upd			text := '';
	col			record;
	conv		text;
	body		text := 'BEGIN' || chr(10);
BEGIN
	FOR col IN
		SELECT a.attname::text AS name, a.atttypid AS typ
		FROM pg_attribute a
		WHERE a.attrelid = 'event_catalog.customers'::regclass
		  AND a.attnum > 0 AND NOT a.attisdropped
		  AND a.attname NOT IN ('tenant', 'customer_id', 'attributes', 'attribute_versions',
								'exclusion_periods', 'created_at', 'updated_at')
		ORDER BY a.attnum
	LOOP
		conv := CASE col.typ
			WHEN 'boolean'::regtype THEN
				'CASE jsonb_typeof(v) WHEN ''boolean'' THEN (v)::text::boolean '
				'ELSE CASE (v) #>> ''{}'' WHEN ''Yes'' THEN true WHEN ''No'' THEN false END END'
			WHEN 'date'::regtype THEN 'event_catalog.to_date_or_null((v) #>> ''{}'')'
			WHEN 'text'::regtype THEN 'NULLIF((v) #>> ''{}'', '''')'
			ELSE format('CAST(NULLIF((v) #>> ''{}'', '''') AS %s)', col.typ::regtype)
		END;
		cols := cols || col.name;
		sel := sel || ', ' || replace(conv, '(v)', format('(p.vals -> %L)', col.name));
		upd := upd || format(', %1$I = CASE WHEN EXCLUDED.attribute_versions ->> %2$L COLLATE "C" > '
							 'COALESCE(c.attribute_versions ->> %2$L, '''') '
							 'THEN EXCLUDED.%1$I ELSE c.%1$I END', col.name, col.name);
	END LOOP;

	body := body || format($q$
		WITH s AS MATERIALIZED (SELECT * FROM (%1$s) w WHERE w.vals <> '{}')
		%2$s
		INSERT INTO event_catalog.customers AS c
			(tenant, customer_id %3$s, attributes, attribute_versions, exclusion_periods, created_at, updated_at)
		SELECT p.tenant, p.customer_id %4$s, p.custom, p.versions,
			   event_catalog.exclusion_periods(p.tenant, p.customer_id),
			   p.first_at, p.last_at
		FROM (SELECT m.*, event_catalog.custom_attributes(m.vals, %5$L::text[]) AS custom
			  -- per customer, each attribute's newest value and version,
			  -- in key order (sorted here, before the rows get wide)
			  FROM (SELECT s.tenant, s.customer_id,
						   event_catalog.newest_values(s.vals, s.version) AS vals,
						   event_catalog.newest_versions(s.vals, s.version) AS versions,
						   min(s.occurred_at) AS first_at, max(s.occurred_at) AS last_at
					FROM s GROUP BY s.tenant, s.customer_id
					ORDER BY s.tenant, s.customer_id) m) p
		ORDER BY p.tenant, p.customer_id
		ON CONFLICT (tenant, customer_id) DO UPDATE SET
			attributes = event_catalog.merge_attributes(c.attributes, c.attribute_versions,
				EXCLUDED.attributes, EXCLUDED.attribute_versions - %5$L::text[])
			%6$s,
			attribute_versions = c.attribute_versions
				|| event_catalog.newer_versions(c.attribute_versions, EXCLUDED.attribute_versions),
			created_at = LEAST(c.created_at, EXCLUDED.created_at),
			updated_at = GREATEST(c.updated_at,
				event_catalog.newest_applied(c.attribute_versions, EXCLUDED.attribute_versions))
		WHERE event_catalog.newest_applied(c.attribute_versions, EXCLUDED.attribute_versions) IS NOT NULL
		   OR EXCLUDED.created_at < c.created_at;
	$q$,
		source_sql,
		CASE WHEN keep_history THEN format($h$
		, history AS (
			INSERT INTO event_catalog.consent_log
				(tenant, customer_id, vals, changed_at, version, event_id, update_id)
			SELECT h.tenant, h.customer_id, h.vals, h.occurred_at, h.version, h.event_id, h.update_id
			FROM (SELECT s.tenant, s.customer_id,
						 jsonb_strip_nulls(jsonb_build_object(%s)) AS vals,
						 s.occurred_at, s.version, s.event_id, s.update_id
				  FROM s) h
			WHERE h.vals <> '{}')
		$h$, (SELECT string_agg(format('%L, s.vals -> %L', a, a), ', ')
			  FROM unnest(event_catalog.consent_attributes()) a))
		ELSE '' END,
		(SELECT string_agg(format(', %I', x), '') FROM unnest(cols) x),
		sel, cols, upd);
	RETURN body || 'END';
END
$$;

-- the profile writes of stored events ($1: event ids, or customers): one
-- row per event with its {attribute: value} object
CREATE FUNCTION event_catalog.event_writes_sql(by_customer boolean)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
	SELECT format($q$
		SELECT e.tenant, e.customer_id,
			   event_catalog.profile_values(e.event_key, e.payload) AS vals,
			   event_catalog.write_version(e.occurred_at, e.content_hash::text) AS version,
			   e.occurred_at, e.event_id, NULL::bigint AS update_id
		FROM event_catalog.events e
		WHERE %s AND e.customer_id IS NOT NULL
	$q$, CASE WHEN by_customer
			  THEN '(e.tenant, e.customer_id) IN (SELECT r.tenant, r.customer_id FROM unnest($1) r) AND e.has_effects'
			  ELSE 'e.event_id = ANY ($1)' END)
$$;

-- the profile writes of API calls ($1: update ids, or customers)
CREATE FUNCTION event_catalog.api_writes_sql(by_customer boolean)
RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
	SELECT format($q$
		SELECT u.tenant, u.customer_id, jsonb_strip_nulls(u.attributes) AS vals,
			   event_catalog.write_version(u.occurred_at, md5(u.attributes::text)::uuid::text) AS version,
			   u.occurred_at, NULL::bigint AS event_id, u.update_id
		FROM event_catalog.customer_updates u
		WHERE %s
	$q$, CASE WHEN by_customer
			  THEN '(u.tenant, u.customer_id) IN (SELECT r.tenant, r.customer_id FROM unnest($1) r)'
			  ELSE 'u.update_id = ANY ($1)' END)
$$;

/*
 * (Re)build the four merge functions from the current customers columns:
 * plain PL/pgSQL with static statements, so their plans are cached.
 */
CREATE FUNCTION event_catalog.build_profile_functions()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	f record;
BEGIN
	FOR f IN
		SELECT * FROM (VALUES
			('merge_event_writes', 'event_ids bigint[]', false, true, true),
			('merge_api_writes', 'update_ids bigint[]', false, false, true),
			('merge_customer_event_writes', 'customers event_catalog.customer_ref[]', true, true, false),
			('merge_customer_api_writes', 'customers event_catalog.customer_ref[]', true, false, false)
		) AS v(name, args, by_customer, from_events, keep_history)
	LOOP
		EXECUTE format('CREATE OR REPLACE FUNCTION event_catalog.%I(%s) RETURNS void '
					   'LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp '
					   'SET work_mem = ''64MB'' AS %L',
					   f.name, f.args,
					   event_catalog.profile_merge_body(
						   CASE WHEN f.from_events THEN event_catalog.event_writes_sql(f.by_customer)
								ELSE event_catalog.api_writes_sql(f.by_customer) END,
						   f.keep_history));
	END LOOP;
END
$$;

COMMENT ON FUNCTION event_catalog.build_profile_functions() IS
	'Regenerate the profile merge functions; run after adding a column to event_catalog.customers.';

SELECT event_catalog.build_profile_functions();

-------------------------------------------------------------------------------
-- Customer Data API equivalents
-------------------------------------------------------------------------------

/*
 * upsert_customers(tenant, customers): a batch of
 * {"customer_id": ..., "attributes": {...}, "timestamp": ...}.  Attribute
 * keys may carry the ootb_ prefix or not; values of User Details Update
 * params are validated as in the event, other keys are custom attributes
 * (scalars, strings of at most 255 characters).  Returns per element what
 * happened; one bad element is reported and does not stop the others.
 */
CREATE FUNCTION event_catalog.upsert_customers(tenant integer, customers jsonb)
RETURNS TABLE (ordinal integer, customer_id text, status text, problems jsonb)
LANGUAGE plpgsql VOLATILE STRICT
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_tenant	constant integer := upsert_customers.tenant;
	v_elem		jsonb;
	v_ord		integer := 0;
	v_id		text;
	v_ts		text;
	v_at		timestamptz;
	v_problems	jsonb;
	v_context	jsonb;
	v_given		jsonb;		-- param key -> the key as the caller gave it
	v_attrs		jsonb;
	v_key		text;
	v_val		jsonb;
	v_param		event_catalog.event_params;
	v_results	jsonb := '[]';	-- [{ord, id, status, problems, update_id}]
	v_update_id	bigint;
	v_ids		bigint[] := '{}';
	v_before	jsonb;
	v_after		jsonb;
	v_field		text;
BEGIN
	IF v_tenant <= 0 THEN
		RAISE EXCEPTION 'tenant % is not a positive integer', v_tenant
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF jsonb_typeof(customers) <> 'array' THEN
		RAISE EXCEPTION 'customers must be a JSON array, not %', jsonb_typeof(customers)
			USING ERRCODE = 'invalid_parameter_value',
				  HINT = 'Pass [{"customer_id": ..., "attributes": {...}, "timestamp": ...}, ...].';
	END IF;

	-- the customers named, locked (as event loads lock them) and as they are
	PERFORM event_catalog.lock_customers(ARRAY(
		SELECT DISTINCT ROW(v_tenant, e->>'customer_id')::event_catalog.customer_ref
		FROM jsonb_array_elements(customers) e
		WHERE jsonb_typeof(e) = 'object' AND jsonb_typeof(e->'customer_id') = 'string'));
	SELECT COALESCE(jsonb_object_agg(c.customer_id,
			   to_jsonb(c) - 'attribute_versions' - 'created_at' - 'updated_at'), '{}')
	INTO v_before
	FROM event_catalog.customers c
	WHERE c.tenant = v_tenant
	  AND c.customer_id IN (SELECT e->>'customer_id' FROM jsonb_array_elements(customers) e
							WHERE jsonb_typeof(e) = 'object');

	FOR v_elem IN SELECT e FROM jsonb_array_elements(customers) e LOOP
		v_ord := v_ord + 1;
		v_problems := '[]';
		v_id := NULL;
		v_context := '{}';
		v_given := '{}';
		v_attrs := '{}';

		IF jsonb_typeof(v_elem) <> 'object' THEN
			v_results := v_results || jsonb_build_object('ord', v_ord, 'status', 'rejected',
				'problems', jsonb_build_array(jsonb_build_object('path', '', 'code', 'not_object',
					'severity', 'error',
					'message', format('customer must be a JSON object, not %s', jsonb_typeof(v_elem)))));
			CONTINUE;
		END IF;

		FOR v_field IN SELECT jsonb_object_keys(v_elem) LOOP
			IF v_field NOT IN ('customer_id', 'attributes', 'timestamp') THEN
				v_problems := v_problems || jsonb_build_object('path', '/' || replace(replace(v_field, '~', '~0'), '/', '~1'),
					'code', 'unknown_property', 'severity', 'warning',
					'message', format('property "%s" is not a customer property', left(v_field, 60)));
			END IF;
		END LOOP;

		-- customer_id, timestamp: checked as the event's customer and timestamp
		v_ts := CASE WHEN jsonb_typeof(v_elem->'timestamp') = 'string' THEN v_elem->>'timestamp' END;
		v_problems := v_problems || COALESCE((
			SELECT jsonb_agg(p) FROM jsonb_array_elements(event_catalog.validate_event(jsonb_build_object(
				'tenant', v_tenant, 'event', 'ootb_user_details_update',
				'timestamp', COALESCE(v_elem->'timestamp', '"2000-01-01T00:00:00Z"'),
				'customer', v_elem->'customer_id'))) p
			WHERE p->>'path' IN ('/customer', '/timestamp')), '[]');
		v_problems := (SELECT COALESCE(jsonb_agg(CASE
				WHEN p->>'path' = '/customer' AND p->>'code' = 'missing_property'
				THEN jsonb_build_object('path', '/customer_id', 'code', 'missing_property',
										'severity', 'error', 'message', 'property "customer_id" is missing')
				WHEN p->>'path' = '/customer'
				THEN jsonb_set(jsonb_set(p, '{path}', '"/customer_id"'), '{message}',
							   to_jsonb(replace(p->>'message', '"customer"', '"customer_id"')))
				ELSE p END), '[]') FROM jsonb_array_elements(v_problems) p);
		IF jsonb_typeof(v_elem->'customer_id') = 'string' THEN
			v_id := v_elem->>'customer_id';
		END IF;

		IF v_elem ? 'attributes' AND jsonb_typeof(v_elem->'attributes') <> 'object' THEN
			v_problems := v_problems || jsonb_build_object('path', '/attributes', 'code', 'not_object',
				'severity', 'error', 'message',
				format('attributes must be a JSON object, not %s', jsonb_typeof(v_elem->'attributes')));
		ELSIF v_elem ? 'attributes' THEN
			FOR v_key, v_val IN SELECT key, value FROM jsonb_each(v_elem->'attributes') LOOP
				SELECT * INTO v_param FROM event_catalog.event_params ep
				WHERE ep.event_key = 'ootb_user_details_update'
				  AND ep.param_key IN (v_key, 'ootb_' || v_key)
				ORDER BY ep.param_key = v_key DESC LIMIT 1;
				IF FOUND AND v_param.profile_attribute IS NOT NULL THEN
					v_context := v_context || jsonb_build_object(v_param.param_key, v_val);
					v_given := v_given || jsonb_build_object(v_param.param_key, v_key);
					v_attrs := v_attrs || jsonb_build_object(v_param.profile_attribute, v_val);
				ELSIF jsonb_typeof(v_val) IN ('object', 'array') THEN
					v_problems := v_problems || jsonb_build_object(
						'path', '/attributes/' || replace(replace(v_key, '~', '~0'), '/', '~1'),
						'code', 'wrong_type', 'severity', 'error',
						'message', format('custom attribute "%s" must be a string, number or boolean, not %s',
										  left(v_key, 60), jsonb_typeof(v_val)));
				ELSIF jsonb_typeof(v_val) = 'string' AND length(v_val #>> '{}') > 255 THEN
					v_problems := v_problems || jsonb_build_object(
						'path', '/attributes/' || replace(replace(v_key, '~', '~0'), '/', '~1'),
						'code', 'too_long', 'severity', 'error',
						'message', format('custom attribute "%s" is %s characters long, more than its maximum of 255',
										  left(v_key, 60), length(v_val #>> '{}')));
				ELSE
					v_attrs := v_attrs || jsonb_build_object(v_key, v_val);
				END IF;
			END LOOP;
			-- values of known attributes: the rules of the event's params
			v_problems := v_problems || COALESCE((
				SELECT jsonb_agg(jsonb_set(p, '{path}', to_jsonb('/attributes/' || replace(replace(
						   COALESCE(v_given->>substr(p->>'path', 10), substr(p->>'path', 10)),
						   '~', '~0'), '/', '~1'))))
				FROM jsonb_array_elements(event_catalog.validate_event(jsonb_build_object(
					'tenant', v_tenant, 'event', 'ootb_user_details_update',
					'timestamp', '2000-01-01T00:00:00Z', 'customer', 'x', 'context', v_context))) p
				WHERE p->>'path' LIKE '/context/%'), '[]');
		END IF;

		IF EXISTS (SELECT 1 FROM jsonb_array_elements(v_problems) p WHERE p->>'severity' = 'error') THEN
			v_results := v_results || jsonb_build_object('ord', v_ord, 'id', v_id,
				'status', 'rejected', 'problems', v_problems);
			CONTINUE;
		END IF;

		v_at := CASE WHEN v_ts IS NULL THEN clock_timestamp()
					 ELSE event_catalog.parse_event_timestamp(v_ts) END;
		INSERT INTO event_catalog.customer_updates (tenant, customer_id, attributes, occurred_at)
		VALUES (v_tenant, v_id, v_attrs, v_at)
		RETURNING update_id INTO v_update_id;
		v_ids := v_ids || v_update_id;
		v_results := v_results || jsonb_build_object('ord', v_ord, 'id', v_id, 'update_id', v_update_id,
			'problems', CASE WHEN jsonb_array_length(v_problems) > 0 THEN v_problems END);
	END LOOP;

	IF cardinality(v_ids) > 0 THEN
		SELECT COALESCE(jsonb_object_agg(c.customer_id,
				   to_jsonb(c) - 'attribute_versions' - 'created_at' - 'updated_at'), '{}')
		INTO v_after
		FROM event_catalog.customers c
		WHERE c.tenant = v_tenant
		  AND c.customer_id IN (SELECT u.customer_id FROM event_catalog.customer_updates u
								WHERE u.update_id = ANY (v_ids));
	END IF;

	/*
	 * Status of each accepted element: a write that won at least one
	 * attribute inserted the customer (the first such element of a new
	 * customer) or updated it (if the row changed); any other is unchanged.
	 */
	RETURN QUERY
	WITH r AS (
		SELECT (x->>'ord')::integer AS ord, x->>'id' AS id, x->>'status' AS status,
			   NULLIF(x->'problems', 'null') AS problems, (x->>'update_id')::bigint AS update_id
		FROM jsonb_array_elements(v_results) x
	), won AS (
		SELECT r.*, EXISTS (
				SELECT 1
				FROM event_catalog.customer_updates u, event_catalog.customers c,
					 jsonb_each_text(c.attribute_versions) cv
				WHERE u.update_id = r.update_id
				  AND c.tenant = v_tenant AND c.customer_id = r.id
				  AND cv.value = event_catalog.write_version(u.occurred_at, md5(u.attributes::text)::uuid::text)
			   ) AS won
		FROM r WHERE r.status IS NULL
	)
	SELECT r.ord, r.id, r.status, r.problems FROM r WHERE r.status IS NOT NULL
	UNION ALL
	SELECT w.ord, w.id,
		   CASE WHEN NOT w.won THEN 'unchanged'
				WHEN NOT v_before ? w.id
					 AND w.ord = min(w.ord) FILTER (WHERE w.won) OVER (PARTITION BY w.id)
					THEN 'inserted'
				WHEN v_before -> w.id IS DISTINCT FROM v_after -> w.id THEN 'updated'
				ELSE 'unchanged' END,
		   w.problems
	FROM won w
	ORDER BY 1;
END
$$;

-- API writes are merged once per statement, however they are inserted (by
-- upsert_customers, or by a restore from pg_dump)
CREATE FUNCTION event_catalog.customer_updates_after_insert()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM event_catalog.lock_customers(ARRAY(
		SELECT DISTINCT ROW(n.tenant, n.customer_id)::event_catalog.customer_ref FROM new_updates n));
	PERFORM event_catalog.merge_api_writes(ARRAY(SELECT n.update_id FROM new_updates n));
	RETURN NULL;
END
$$;

CREATE TRIGGER customer_updates_merge
	AFTER INSERT ON event_catalog.customer_updates
	REFERENCING NEW TABLE AS new_updates
	FOR EACH STATEMENT EXECUTE FUNCTION event_catalog.customer_updates_after_insert();

COMMENT ON FUNCTION event_catalog.upsert_customers(integer, jsonb) IS
	'Batch profile writes [{customer_id, attributes, timestamp}]: per customer inserted, updated, unchanged or rejected.';

CREATE FUNCTION event_catalog.upsert_customer(tenant integer, customer_id text, attributes jsonb)
RETURNS text
LANGUAGE plpgsql VOLATILE STRICT
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r			record;
	v_detail	text;
BEGIN
	SELECT * INTO r FROM event_catalog.upsert_customers(tenant,
		jsonb_build_array(jsonb_build_object('customer_id', customer_id, 'attributes', attributes)));
	IF r.status = 'rejected' THEN
		SELECT string_agg(format('%s: %s (%s at "%s")', p->>'severity', p->>'message',
								 p->>'code', p->>'path'), E'\n')
		INTO v_detail
		FROM jsonb_array_elements(r.problems) p;
		RAISE EXCEPTION 'invalid customer "%": %', left(customer_id, 60),
			(SELECT p->>'message' FROM jsonb_array_elements(r.problems) p
			 WHERE p->>'severity' = 'error' LIMIT 1)
			USING ERRCODE = 'invalid_parameter_value', DETAIL = v_detail;
	END IF;
	RETURN r.status;
END
$$;

COMMENT ON FUNCTION event_catalog.upsert_customer(integer, text, jsonb) IS
	'Legacy single-customer profile write: inserted, updated or unchanged; an invalid attribute raises 22023.';

-- an event timestamp (any accepted form) as timestamptz; error if invalid
CREATE FUNCTION event_catalog.parse_event_timestamp(value text)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'ec_parse_event_timestamp'
LANGUAGE C STABLE STRICT PARALLEL SAFE;

-------------------------------------------------------------------------------
-- Self-exclusion lifecycle
-------------------------------------------------------------------------------

CREATE TABLE event_catalog.self_exclusions (
	tenant				integer NOT NULL,
	customer_id			text COLLATE "C" NOT NULL,
	episode				integer NOT NULL,
	status				text NOT NULL CHECK (status IN ('pending', 'active', 'lifted')),
	exclusion_type		text CHECK (exclusion_type IN ('self_exclusion', 'cool_off')),
	reason				text,
	duration			text,
	requested_at		timestamptz NOT NULL,
	activated_at		timestamptz,
	starts_at			timestamptz,
	expires_at			timestamptz,
	lifted_at			timestamptz,
	update_count		integer NOT NULL DEFAULT 0,
	violation_count		integer NOT NULL DEFAULT 0,
	last_violation_at	timestamptz,
	brand				text,
	license				text,
	first_event_id		bigint NOT NULL,
	last_event_id		bigint NOT NULL,
	PRIMARY KEY (tenant, customer_id, episode)
);

-- the exclusions in force: those not lifted
CREATE INDEX self_exclusions_open_idx
	ON event_catalog.self_exclusions (tenant, customer_id) WHERE lifted_at IS NULL;

COMMENT ON TABLE event_catalog.self_exclusions IS
	'Self-exclusion episodes, a pure function of each customer''s five self-exclusion events.';

CREATE TABLE event_catalog.self_exclusion_anomalies (
	tenant			integer NOT NULL,
	customer_id		text COLLATE "C" NOT NULL,
	event_id		bigint NOT NULL,
	episode			integer,
	code			text NOT NULL,
	detail			text NOT NULL,
	occurred_at		timestamptz NOT NULL
);

CREATE INDEX self_exclusion_anomalies_customer_idx
	ON event_catalog.self_exclusion_anomalies (tenant, customer_id);

COMMENT ON TABLE event_catalog.self_exclusion_anomalies IS
	'Out-of-order, impossible or weakening self-exclusion events, and what was done about them.';


-- a timestamp param's value (any accepted form), or null
CREATE FUNCTION event_catalog.to_timestamp_or_null(value text)
RETURNS timestamptz
AS 'MODULE_PATHNAME', 'ec_to_timestamp_or_null'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- a time as RFC 3339 UTC text, whatever the session's time zone
CREATE FUNCTION event_catalog.utc_text(at timestamptz)
RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT pg_catalog.to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

-- the lifecycle order of the five events, for events at the same instant
CREATE FUNCTION event_catalog.lifecycle_rank(event_key text)
RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
	SELECT CASE event_key
		WHEN 'ootb_self_exclusion_initiated' THEN 1
		WHEN 'ootb_self_exclusion_activated' THEN 2
		WHEN 'ootb_self_exclusion_updated' THEN 3
		WHEN 'ootb_self_exclusion_violation_attempt' THEN 4
		WHEN 'ootb_self_exclusion_lifted' THEN 5
	END
$$;

-- the periods in which a customer is self-excluded: each episode from its
-- request to its lift (open-ended while not lifted), or null
-- (no SET clause: the profile merge calls it once per new customer, and a
-- SET costs a configuration save and restore per call; every name in it is
-- qualified instead)
CREATE FUNCTION event_catalog.exclusion_periods(tenant integer, customer_id text)
RETURNS tstzmultirange
LANGUAGE sql STABLE STRICT PARALLEL SAFE
AS $$
	SELECT pg_catalog.range_agg(pg_catalog.tstzrange(s.requested_at, s.lifted_at, '[)'))
	FROM event_catalog.self_exclusions s
	WHERE s.tenant OPERATOR(pg_catalog.=) exclusion_periods.tenant
	  AND s.customer_id OPERATOR(pg_catalog.=) exclusion_periods.customer_id
$$;

/*
 * Rebuild the episodes and anomalies of the given customers from all their
 * self-exclusion events, in (occurred_at, lifecycle rank, content) order.
 * A param that is not of its type (fail-safe events are stored with bad
 * params) is ignored.  The rules:
 *   initiated   opens a pending episode; with one open, updates it
 *   activated   makes the open episode active; with none, opens one active
 *   updated     changes the open episode (an earlier expiry, a later start
 *               or self-exclusion -> cool-off is refused); with none, opens
 *               one active
 *   violation   counts on the open episode; with none, changes nothing
 *   lifted      closes the open episode; with none, changes nothing
 * Every oddity is recorded in self_exclusion_anomalies.
 */
CREATE FUNCTION event_catalog.recompute_self_exclusions(customers event_catalog.customer_ref[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	ev			record;
	ep			event_catalog.self_exclusions;
	is_open		boolean := false;
	n_episode	integer := 0;
	cur_tenant	integer;
	cur_id		text;
	v_start		timestamptz;
	v_expiry	timestamptz;
	v_type		text;
	v_when		timestamptz;
	v_kind		text;
BEGIN
	DELETE FROM event_catalog.self_exclusions s
	WHERE (s.tenant, s.customer_id) IN (SELECT r.tenant, r.customer_id FROM unnest(customers) r);
	DELETE FROM event_catalog.self_exclusion_anomalies a
	WHERE (a.tenant, a.customer_id) IN (SELECT r.tenant, r.customer_id FROM unnest(customers) r);

	FOR ev IN
		SELECT e.event_id, e.tenant, e.customer_id, e.event_key, e.occurred_at, e.problems,
			   CASE WHEN jsonb_typeof(e.payload -> 'context') = 'object'
					THEN e.payload -> 'context' ELSE '{}' END AS ctx
		FROM event_catalog.events e
		WHERE (e.tenant, e.customer_id) IN (SELECT r.tenant, r.customer_id FROM unnest(customers) r)
		  AND e.has_effects
		  AND e.event_key IN ('ootb_self_exclusion_initiated', 'ootb_self_exclusion_activated',
							  'ootb_self_exclusion_updated', 'ootb_self_exclusion_violation_attempt',
							  'ootb_self_exclusion_lifted')
		ORDER BY e.tenant, e.customer_id, e.occurred_at, event_catalog.lifecycle_rank(e.event_key),
				 e.content_hash
	LOOP
		IF cur_id IS DISTINCT FROM ev.customer_id OR cur_tenant IS DISTINCT FROM ev.tenant THEN
			IF is_open THEN
				INSERT INTO event_catalog.self_exclusions SELECT ep.*;
			END IF;
			cur_tenant := ev.tenant;
			cur_id := ev.customer_id;
			is_open := false;
			n_episode := 0;
		END IF;
		v_kind := substr(ev.event_key, length('ootb_self_exclusion_') + 1);

		-- a fail-safe event stored with bad params: say so, use the rest
		IF EXISTS (SELECT 1 FROM jsonb_array_elements(ev.problems) p WHERE p->>'severity' = 'error') THEN
			INSERT INTO event_catalog.self_exclusion_anomalies
			VALUES (ev.tenant, ev.customer_id, ev.event_id, CASE WHEN is_open THEN ep.episode END,
					'invalid_params',
					'stored with bad params, which were ignored: ' ||
					(SELECT string_agg(p->>'path', ', ') FROM jsonb_array_elements(ev.problems) p
					 WHERE p->>'severity' = 'error'),
					ev.occurred_at);
		END IF;

		v_start := event_catalog.to_timestamp_or_null(ev.ctx ->> 'ootb_self_exclusion_start_date');
		v_expiry := event_catalog.to_timestamp_or_null(ev.ctx ->> 'ootb_self_exclusion_expiry_date');
		v_type := CASE WHEN jsonb_typeof(ev.ctx -> 'ootb_exclusion_type') = 'number' THEN
					  CASE (ev.ctx ->> 'ootb_exclusion_type')::numeric
						  WHEN 0 THEN 'self_exclusion' WHEN 1 THEN 'cool_off' END END;

		IF v_kind IN ('violation_attempt', 'lifted') AND NOT is_open THEN
			INSERT INTO event_catalog.self_exclusion_anomalies
			VALUES (ev.tenant, ev.customer_id, ev.event_id, NULL,
					CASE v_kind WHEN 'lifted' THEN 'lifted_without_exclusion'
								ELSE 'violation_without_exclusion' END,
					CASE v_kind WHEN 'lifted' THEN 'no exclusion was open; nothing was lifted'
								ELSE 'no exclusion was open; nothing was counted' END,
					ev.occurred_at);
			CONTINUE;
		END IF;

		IF v_kind = 'violation_attempt' THEN
			ep.violation_count := ep.violation_count + 1;
			v_when := COALESCE(event_catalog.to_timestamp_or_null(ev.ctx ->> 'ootb_violation_attempt_timestamp'),
							   ev.occurred_at);
			ep.last_violation_at := GREATEST(ep.last_violation_at, v_when);
			ep.last_event_id := ev.event_id;
			CONTINUE;
		END IF;

		IF v_kind = 'lifted' THEN
			ep.status := 'lifted';
			ep.lifted_at := ev.occurred_at;
			ep.last_event_id := ev.event_id;
			IF ep.expires_at IS NOT NULL AND ev.occurred_at < ep.expires_at THEN
				INSERT INTO event_catalog.self_exclusion_anomalies
				VALUES (ev.tenant, ev.customer_id, ev.event_id, ep.episode, 'lifted_before_expiry',
						format('lifted at %s, before its expiry at %s', event_catalog.utc_text(ev.occurred_at),
							   event_catalog.utc_text(ep.expires_at)),
						ev.occurred_at);
			END IF;
			INSERT INTO event_catalog.self_exclusions SELECT ep.*;
			is_open := false;
			CONTINUE;
		END IF;

		-- initiated, activated, updated
		IF NOT is_open THEN
			n_episode := n_episode + 1;
			ep := ROW(ev.tenant, ev.customer_id, n_episode,
					  CASE v_kind WHEN 'initiated' THEN 'pending' ELSE 'active' END,
					  NULL, NULL, NULL, ev.occurred_at,
					  CASE WHEN v_kind <> 'initiated' THEN ev.occurred_at END,
					  NULL, NULL, NULL, 0, 0, NULL, NULL, NULL, ev.event_id, ev.event_id);
			is_open := true;
			IF v_kind <> 'initiated' THEN
				INSERT INTO event_catalog.self_exclusion_anomalies
				VALUES (ev.tenant, ev.customer_id, ev.event_id, n_episode,
						v_kind || '_without_initiated',
						'no exclusion was open; an active one was opened so that protection starts now',
						ev.occurred_at);
			END IF;
		ELSE
			IF v_kind = 'initiated' THEN
				INSERT INTO event_catalog.self_exclusion_anomalies
				VALUES (ev.tenant, ev.customer_id, ev.event_id, ep.episode, 'initiated_while_open',
						format('episode %s is already %s; the request updates it', ep.episode, ep.status),
						ev.occurred_at);
			ELSIF v_kind = 'activated' AND ep.status = 'active' THEN
				INSERT INTO event_catalog.self_exclusion_anomalies
				VALUES (ev.tenant, ev.customer_id, ev.event_id, ep.episode, 'activated_while_active',
						format('episode %s is already active', ep.episode), ev.occurred_at);
			END IF;
			IF v_kind = 'activated' AND ep.status = 'pending' THEN
				ep.status := 'active';
				ep.activated_at := ev.occurred_at;
			END IF;
			IF v_kind = 'updated' THEN
				ep.update_count := ep.update_count + 1;
			END IF;
		END IF;

		-- details: never shorten, never postpone, never weaken
		IF v_expiry IS NOT NULL THEN
			IF ep.expires_at IS NULL OR v_expiry >= ep.expires_at THEN
				ep.expires_at := v_expiry;
			ELSE
				INSERT INTO event_catalog.self_exclusion_anomalies
				VALUES (ev.tenant, ev.customer_id, ev.event_id, ep.episode, 'shortening_refused',
						format('expiry %s is earlier than %s; the later expiry is kept',
							   event_catalog.utc_text(v_expiry), event_catalog.utc_text(ep.expires_at)),
						ev.occurred_at);
			END IF;
		END IF;
		IF v_start IS NOT NULL THEN
			IF ep.starts_at IS NULL OR v_start <= ep.starts_at THEN
				ep.starts_at := v_start;
			ELSE
				INSERT INTO event_catalog.self_exclusion_anomalies
				VALUES (ev.tenant, ev.customer_id, ev.event_id, ep.episode, 'postponement_refused',
						format('start %s is later than %s; the earlier start is kept',
							   event_catalog.utc_text(v_start), event_catalog.utc_text(ep.starts_at)),
						ev.occurred_at);
			END IF;
		END IF;
		IF v_type IS NOT NULL THEN
			IF ep.exclusion_type = 'self_exclusion' AND v_type = 'cool_off' THEN
				INSERT INTO event_catalog.self_exclusion_anomalies
				VALUES (ev.tenant, ev.customer_id, ev.event_id, ep.episode, 'weakening_refused',
						'a self-exclusion cannot become a cool-off; the self-exclusion is kept',
						ev.occurred_at);
			ELSE
				ep.exclusion_type := v_type;
			END IF;
		END IF;
		IF jsonb_typeof(ev.ctx -> 'ootb_reason') = 'string' THEN
			ep.reason := ev.ctx ->> 'ootb_reason';
		END IF;
		IF jsonb_typeof(ev.ctx -> 'ootb_self_exclusion_duration') = 'string' THEN
			ep.duration := ev.ctx ->> 'ootb_self_exclusion_duration';
		END IF;
		IF jsonb_typeof(ev.ctx -> 'ootb_brand') = 'string' THEN
			ep.brand := ev.ctx ->> 'ootb_brand';
		END IF;
		IF jsonb_typeof(ev.ctx -> 'ootb_license') = 'string' THEN
			ep.license := ev.ctx ->> 'ootb_license';
		END IF;
		ep.last_event_id := ev.event_id;
	END LOOP;

	IF is_open THEN
		INSERT INTO event_catalog.self_exclusions SELECT ep.*;
	END IF;

	-- the customers' exclusion periods, which contact checks read
	UPDATE event_catalog.customers c
	SET exclusion_periods = x.periods
	FROM (SELECT r.tenant, r.customer_id,
				 event_catalog.exclusion_periods(r.tenant, r.customer_id) AS periods
		  FROM unnest(customers) r) x
	WHERE c.tenant = x.tenant AND c.customer_id = x.customer_id
	  AND c.exclusion_periods IS DISTINCT FROM x.periods;
END
$$;

-- in force at a time: requested by then and not lifted by then
CREATE FUNCTION event_catalog.is_self_excluded(tenant integer, customer_id text,
											   at timestamptz DEFAULT pg_catalog.now())
RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT EXISTS (
		SELECT 1 FROM event_catalog.self_exclusions s
		WHERE s.tenant = is_self_excluded.tenant
		  AND s.customer_id = is_self_excluded.customer_id
		  AND s.requested_at <= is_self_excluded.at
		  AND (s.lifted_at IS NULL OR s.lifted_at > is_self_excluded.at))
$$;

COMMENT ON FUNCTION event_catalog.is_self_excluded(integer, text, timestamptz) IS
	'True from the moment a self-exclusion is requested until it is lifted (an expired one stays in force).';

CREATE FUNCTION event_catalog.check_channel(channel text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF channel NOT IN ('email', 'sms', 'push', 'whatsapp') THEN
		RAISE EXCEPTION 'unknown channel "%"', channel
			USING ERRCODE = 'invalid_parameter_value',
				  DETAIL = 'Channels are email, sms, push and whatsapp.';
	END IF;
	RETURN channel;
END
$$;

/*
 * The contact rule, as a set: customers of the tenant with consent for the
 * channel, an address for it (email; mobile number for sms and whatsapp),
 * not blocked, not test accounts, and not self-excluded at the given time.
 */
CREATE FUNCTION event_catalog.contactable_customers(tenant integer, channel text,
													at timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (customer_id text)
LANGUAGE sql STABLE PARALLEL SAFE
AS $$
	-- neither STRICT nor SET: so that the planner inlines it into the caller's
	-- query; every name is schema-qualified
	SELECT c.customer_id
	FROM event_catalog.customers c
	WHERE c.tenant OPERATOR(pg_catalog.=) contactable_customers.tenant
	  AND ((event_catalog.check_channel(contactable_customers.channel) OPERATOR(pg_catalog.=) 'email'
			AND c.allow_email AND c.email IS NOT NULL)
		OR (contactable_customers.channel OPERATOR(pg_catalog.=) 'sms'
			AND c.allow_sms AND c.mobile_number IS NOT NULL)
		OR (contactable_customers.channel OPERATOR(pg_catalog.=) 'whatsapp'
			AND c.allow_whatsapp AND c.mobile_number IS NOT NULL)
		OR (contactable_customers.channel OPERATOR(pg_catalog.=) 'push' AND c.allow_push))
	  AND c.is_blocked IS NOT TRUE
	  AND c.is_test IS NOT TRUE
	  -- the episodes of self_exclusions, as kept on the customer row
	  AND (c.exclusion_periods IS NULL
		   OR NOT c.exclusion_periods OPERATOR(pg_catalog.@>) contactable_customers.at)
$$;

COMMENT ON FUNCTION event_catalog.contactable_customers(integer, text, timestamptz) IS
	'The customers that may be contacted on a channel at a time (the rule of can_contact, as one query).';

CREATE FUNCTION event_catalog.can_contact(tenant integer, customer_id text, channel text,
										  at timestamptz DEFAULT pg_catalog.now())
RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT EXISTS (
		SELECT 1 FROM event_catalog.contactable_customers(can_contact.tenant, can_contact.channel,
														  can_contact.at) c
		WHERE c.customer_id = can_contact.customer_id)
$$;

COMMENT ON FUNCTION event_catalog.can_contact(integer, text, text, timestamptz) IS
	'May this customer be contacted on this channel at this time? False unless every condition holds.';

-------------------------------------------------------------------------------
-- Effects of events: called once per statement by the events triggers
-------------------------------------------------------------------------------

/*
 * Serialize the upkeep of the given customers' derived state with other
 * transactions: a transaction-level advisory lock per bucket of customers
 * (256 buckets, so a big load takes a bounded number of locks), taken in
 * bucket order so that two loads never wait on each other in a cycle.
 * The queries that follow see every transaction that held the lock before.
 */
CREATE FUNCTION event_catalog.customer_bucket(tenant integer, customer_id text)
RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT pg_catalog.hashtext(tenant OPERATOR(pg_catalog.||) '/' OPERATOR(pg_catalog.||) customer_id) OPERATOR(pg_catalog.&) 255 $$;

CREATE FUNCTION event_catalog.lock_buckets(buckets integer[])
RETURNS void
LANGUAGE sql
AS $$
	SELECT pg_catalog.count(pg_catalog.pg_advisory_xact_lock(1701999971, b))
	FROM (SELECT DISTINCT b FROM pg_catalog.unnest(buckets) b ORDER BY 1) x
$$;

CREATE FUNCTION event_catalog.lock_customers(customers event_catalog.customer_ref[])
RETURNS void
LANGUAGE sql
AS $$
	SELECT event_catalog.lock_buckets(ARRAY(
		SELECT event_catalog.customer_bucket(r.tenant, r.customer_id) FROM unnest(customers) r))
$$;

CREATE FUNCTION event_catalog.apply_event_effects(event_ids bigint[])
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	v_buckets	integer[];
	v_excluded	event_catalog.customer_ref[];
	v_profile	boolean;
BEGIN
	-- lock buckets rather than distinct customers: sorting integers is
	-- cheap, sorting a big load's customer records is not
	SELECT array_agg(DISTINCT event_catalog.customer_bucket(e.tenant, e.customer_id)),
		   array_agg(DISTINCT ROW(e.tenant, e.customer_id)::event_catalog.customer_ref)
			   FILTER (WHERE t.category = 'self_exclusion'),
		   bool_or(t.category <> 'self_exclusion' OR t.category IS NULL)
	INTO v_buckets, v_excluded, v_profile
	FROM event_catalog.events e
	LEFT JOIN event_catalog.event_types t ON t.event_key = e.event_key
	WHERE e.event_id = ANY (event_ids) AND e.customer_id IS NOT NULL;

	IF v_buckets IS NULL THEN
		RETURN;
	END IF;
	PERFORM event_catalog.lock_buckets(v_buckets);
	IF v_profile THEN
		PERFORM event_catalog.merge_event_writes(event_ids);
	END IF;
	IF v_excluded IS NOT NULL THEN
		PERFORM event_catalog.recompute_self_exclusions(v_excluded);
	END IF;
END
$$;

-- recompute the derived state of customers from what remains
CREATE FUNCTION event_catalog.recompute_customers(customers event_catalog.customer_ref[])
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF cardinality(customers) = 0 THEN
		RETURN;
	END IF;
	PERFORM event_catalog.lock_customers(customers);
	DELETE FROM event_catalog.customers c
	WHERE (c.tenant, c.customer_id) IN (SELECT r.tenant, r.customer_id FROM unnest(customers) r);
	PERFORM event_catalog.merge_customer_event_writes(customers);
	PERFORM event_catalog.merge_customer_api_writes(customers);
	PERFORM event_catalog.recompute_self_exclusions(customers);
END
$$;

-------------------------------------------------------------------------------
-- Reports
-------------------------------------------------------------------------------

/*
 * registration_funnel: registrations initiated (Registration Initiated, or
 * Registration with status Started), completed (status Completed) and
 * failed (Registration Failed, or status Failed), with the failure reasons;
 * events and distinct people (customer, else visitor) per stage, and the
 * share of the initiated count.
 */
CREATE FUNCTION event_catalog.registration_funnel(tenant integer,
												  since timestamptz DEFAULT '-infinity',
												  until timestamptz DEFAULT 'infinity')
RETURNS TABLE (stage text, events bigint, people bigint, share_of_initiated numeric)
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	WITH r AS (
		SELECT CASE
				 WHEN e.event_key = 'ootb_registration_initiated' THEN 'initiated'
				 WHEN e.event_key = 'ootb_registration_failed' THEN 'failed'
				 WHEN e.payload #>> '{context,ootb_status}' = 'Started' THEN 'initiated'
				 WHEN e.payload #>> '{context,ootb_status}' = 'Completed' THEN 'completed'
				 WHEN e.payload #>> '{context,ootb_status}' = 'Failed' THEN 'failed'
			   END AS stage,
			   COALESCE(NULLIF(e.payload #>> '{context,ootb_failure_reason}', ''), 'unknown') AS reason,
			   COALESCE('c:' || e.customer_id, 'v:' || e.visitor_id) AS person
		FROM event_catalog.events e
		WHERE e.tenant = registration_funnel.tenant
		  AND e.occurred_at >= registration_funnel.since
		  AND e.occurred_at < registration_funnel.until
		  AND e.event_key IN ('ootb_registration_initiated', 'ootb_registration_failed', 'ootb_registration')
	), stages AS (
		SELECT s.stage, s.ord, count(r.stage) AS events, count(DISTINCT r.person) AS people
		FROM (VALUES ('initiated', 1), ('completed', 2), ('failed', 3)) s(stage, ord)
		LEFT JOIN r ON r.stage = s.stage
		GROUP BY s.stage, s.ord
		UNION ALL
		SELECT 'failed: ' || r.reason, 4, count(*), count(DISTINCT r.person)
		FROM r WHERE r.stage = 'failed' GROUP BY r.reason
	)
	SELECT s.stage, s.events, s.people,
		   round(s.events::numeric / NULLIF((SELECT i.events FROM stages i WHERE i.stage = 'initiated'), 0), 3)
	FROM stages s
	ORDER BY s.ord, s.events DESC, s.stage
$$;

COMMENT ON FUNCTION event_catalog.registration_funnel(integer, timestamptz, timestamptz) IS
	'Registrations initiated, completed and failed (with failure reasons) in a time window.';

/*
 * consent_summary: per channel, the customers who opted in, opted out or
 * never said, those with an address for it, and those contactable now.
 */
CREATE FUNCTION event_catalog.consent_summary(tenant integer, at timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (channel text, opted_in bigint, opted_out bigint, unknown bigint,
			   with_address bigint, contactable bigint)
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT ch.channel,
		   count(*) FILTER (WHERE ch.consent),
		   count(*) FILTER (WHERE NOT ch.consent),
		   count(*) FILTER (WHERE ch.consent IS NULL),
		   count(*) FILTER (WHERE ch.address),
		   (SELECT count(*) FROM event_catalog.contactable_customers(consent_summary.tenant, ch.channel,
																	  consent_summary.at))
	FROM event_catalog.customers c
	CROSS JOIN LATERAL (VALUES
		('email', c.allow_email, c.email IS NOT NULL, 1),
		('sms', c.allow_sms, c.mobile_number IS NOT NULL, 2),
		('push', c.allow_push, true, 3),
		('whatsapp', c.allow_whatsapp, c.mobile_number IS NOT NULL, 4)) AS ch(channel, consent, address, ord)
	WHERE c.tenant = consent_summary.tenant
	GROUP BY ch.channel, ch.ord
	ORDER BY ch.ord
$$;

COMMENT ON FUNCTION event_catalog.consent_summary(integer, timestamptz) IS
	'Per channel: customers opted in, opted out, unknown, with an address, and contactable.';

/*
 * self_exclusion_report: the self-exclusion events in a time window, the
 * exclusions in force now (and the overdue ones: expiry passed, not
 * lifted), by type, and the anomalies of the window by code.
 */
CREATE FUNCTION event_catalog.self_exclusion_report(tenant integer,
													since timestamptz DEFAULT '-infinity',
													until timestamptz DEFAULT 'infinity')
RETURNS TABLE (metric text, value bigint)
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT m.metric, m.value FROM (
		SELECT k.ord, k.metric, (
			SELECT count(*) FROM event_catalog.events e
			WHERE e.tenant = self_exclusion_report.tenant
			  AND e.event_key = 'ootb_self_exclusion_' || k.kind
			  AND e.occurred_at >= self_exclusion_report.since
			  AND e.occurred_at < self_exclusion_report.until) AS value
		FROM (VALUES (1, 'requested', 'initiated'), (2, 'activated', 'activated'),
					 (3, 'updated', 'updated'), (4, 'violation attempts', 'violation_attempt'),
					 (5, 'lifted', 'lifted')) k(ord, metric, kind)
		UNION ALL
		SELECT 6, 'currently excluded', count(*) FROM event_catalog.self_exclusions s
		WHERE s.tenant = self_exclusion_report.tenant AND s.lifted_at IS NULL
		UNION ALL
		SELECT 7, '  of which cool-offs', count(*) FROM event_catalog.self_exclusions s
		WHERE s.tenant = self_exclusion_report.tenant AND s.lifted_at IS NULL
		  AND s.exclusion_type = 'cool_off'
		UNION ALL
		SELECT 8, '  of which overdue', count(*) FROM event_catalog.self_exclusions s
		WHERE s.tenant = self_exclusion_report.tenant AND s.lifted_at IS NULL
		  AND s.expires_at < pg_catalog.now()
		UNION ALL
		SELECT 9, 'anomalies', count(*) FROM event_catalog.self_exclusion_anomalies a
		WHERE a.tenant = self_exclusion_report.tenant
		  AND a.occurred_at >= self_exclusion_report.since
		  AND a.occurred_at < self_exclusion_report.until
		UNION ALL
		SELECT 10, '  ' || a.code, count(*) FROM event_catalog.self_exclusion_anomalies a
		WHERE a.tenant = self_exclusion_report.tenant
		  AND a.occurred_at >= self_exclusion_report.since
		  AND a.occurred_at < self_exclusion_report.until
		GROUP BY a.code
	) m
	ORDER BY m.ord, m.metric
$$;

COMMENT ON FUNCTION event_catalog.self_exclusion_report(integer, timestamptz, timestamptz) IS
	'Self-exclusion events of a window, exclusions in force (cool-offs, overdue) and anomalies.';

/*
 * validation_report: what happened to the events received in a time window:
 * accepted (per event, and their warnings by code and path), quarantined
 * (per event, code and path of each error) and duplicates skipped (per
 * event).  With tenant null, all tenants, including quarantined lines
 * whose tenant could not be read.
 */
CREATE FUNCTION event_catalog.validation_report(tenant integer DEFAULT NULL,
												since timestamptz DEFAULT '-infinity',
												until timestamptz DEFAULT 'infinity')
RETURNS TABLE (outcome text, event_key text, code text, path text, count bigint)
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT x.outcome, x.event_key, x.code, x.path, x.n FROM (
		SELECT 1 AS ord, 'accepted' AS outcome, e.event_key, NULL::text AS code, NULL::text AS path,
			   count(*) AS n
		FROM event_catalog.events e
		WHERE (validation_report.tenant IS NULL OR e.tenant = validation_report.tenant)
		  AND e.received_at >= validation_report.since AND e.received_at < validation_report.until
		GROUP BY e.event_key
		UNION ALL
		SELECT 2, 'accepted with problems', e.event_key, p->>'code', p->>'path', count(*)
		FROM event_catalog.events e, jsonb_array_elements(e.problems) p
		WHERE (validation_report.tenant IS NULL OR e.tenant = validation_report.tenant)
		  AND e.received_at >= validation_report.since AND e.received_at < validation_report.until
		GROUP BY e.event_key, p->>'code', p->>'path'
		UNION ALL
		SELECT 3, 'quarantined', COALESCE(r.event_key, '(unreadable)'), p->>'code', p->>'path', count(*)
		FROM event_catalog.rejected_events r, jsonb_array_elements(r.problems) p
		WHERE (validation_report.tenant IS NULL OR r.tenant = validation_report.tenant)
		  AND r.rejected_at >= validation_report.since AND r.rejected_at < validation_report.until
		  AND p->>'severity' = 'error'
		GROUP BY 3, p->>'code', p->>'path'
		UNION ALL
		SELECT 4, 'duplicate', d.event_key, NULL, NULL, sum(d.duplicates)::bigint
		FROM event_catalog.duplicate_counts d
		WHERE (validation_report.tenant IS NULL OR d.tenant = validation_report.tenant)
		  AND d.day >= (validation_report.since AT TIME ZONE 'UTC')::date
		  AND d.day <= (validation_report.until AT TIME ZONE 'UTC')::date
		GROUP BY d.event_key
	) x
	ORDER BY x.ord, x.n DESC, x.event_key, x.code, x.path
$$;

COMMENT ON FUNCTION event_catalog.validation_report(integer, timestamptz, timestamptz) IS
	'Events received in a window: accepted, accepted with warnings, quarantined and duplicates, by event, code and path.';

-------------------------------------------------------------------------------
-- Roles and privileges
-------------------------------------------------------------------------------

/*
 * Three roles (cluster-wide, so created only if missing and not dropped
 * with the extension):
 *   event_catalog_writer  loads events (COPY, INSERT, track) and writes
 *                         profiles through upsert_customer(s) only
 *   event_catalog_reader  reads every table and runs the reports
 *   event_catalog_admin   changes the catalog and deletes events (erasure)
 * Grant them to login roles.  Derived state (profiles, episodes) is written
 * by SECURITY DEFINER functions with a pinned search_path, never directly.
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

-- everyone may validate: the catalog is readable, and the schema usable
GRANT USAGE ON SCHEMA event_catalog TO PUBLIC;
GRANT SELECT ON event_catalog.event_types, event_catalog.event_params TO PUBLIC;

-- nothing that writes runs for PUBLIC
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA event_catalog FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
	event_catalog.validate_event(jsonb), event_catalog.is_valid_event(jsonb),
	event_catalog.assert_valid_event(jsonb), event_catalog.event_content_hash(jsonb),
	event_catalog.export_catalog(), event_catalog.event_definition(text),
	event_catalog.parse_event_timestamp(text), event_catalog.to_date_or_null(text),
	event_catalog.to_timestamp_or_null(text), event_catalog.utc_text(timestamptz),
	event_catalog.catalog_changed(), event_catalog.events_before_insert(),
	event_catalog.events_refuse_change(), event_catalog.events_after_statement(),
	event_catalog.events_after_delete(), event_catalog.customer_updates_after_insert()
TO PUBLIC;

-- reader: everything, read-only
GRANT SELECT ON ALL TABLES IN SCHEMA event_catalog TO event_catalog_reader;
GRANT EXECUTE ON FUNCTION
	event_catalog.is_self_excluded(integer, text, timestamptz),
	event_catalog.can_contact(integer, text, text, timestamptz),
	event_catalog.contactable_customers(integer, text, timestamptz),
	event_catalog.check_channel(text),
	event_catalog.registration_funnel(integer, timestamptz, timestamptz),
	event_catalog.consent_summary(integer, timestamptz),
	event_catalog.self_exclusion_report(integer, timestamptz, timestamptz),
	event_catalog.validation_report(integer, timestamptz, timestamptz)
TO event_catalog_reader, event_catalog_writer, event_catalog_admin;

-- writer: loads events; quarantine and duplicate counts are its own
GRANT SELECT, INSERT ON event_catalog.events TO event_catalog_writer;
GRANT SELECT, INSERT ON event_catalog.rejected_events TO event_catalog_writer;
GRANT SELECT, INSERT, UPDATE ON event_catalog.duplicate_counts TO event_catalog_writer;
GRANT SELECT ON event_catalog.customers, event_catalog.self_exclusions TO event_catalog_writer;
GRANT EXECUTE ON FUNCTION
	event_catalog.track(jsonb),
	event_catalog.apply_event_effects(bigint[]),
	event_catalog.upsert_customers(integer, jsonb),
	event_catalog.upsert_customer(integer, text, jsonb)
TO event_catalog_writer;

-- admin: the catalog, and erasure of events
GRANT SELECT ON ALL TABLES IN SCHEMA event_catalog TO event_catalog_admin;
GRANT INSERT, UPDATE, DELETE ON event_catalog.event_types, event_catalog.event_params
	TO event_catalog_admin;
GRANT DELETE ON event_catalog.events, event_catalog.rejected_events TO event_catalog_admin;
GRANT EXECUTE ON FUNCTION
	event_catalog.define_event(jsonb), event_catalog.drop_event(text),
	event_catalog.recompute_customers(event_catalog.customer_ref[])
TO event_catalog_admin;

-------------------------------------------------------------------------------
-- Optional per-tenant row-level security
-------------------------------------------------------------------------------

/*
 * enable_tenant_isolation(): every table with a tenant column gets a policy
 * that shows (and accepts) only the rows of the tenant in the setting
 * event_catalog.tenant; without the setting, nothing.  The owner (and so the
 * SECURITY DEFINER upkeep functions) is not subject to it.
 * disable_tenant_isolation() removes it.
 */
CREATE FUNCTION event_catalog.set_tenant_isolation(enabled boolean)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET client_min_messages = warning
AS $$
DECLARE
	t text;
BEGIN
	-- every table of the extension that has a tenant column
	FOR t IN
		SELECT c.relname FROM pg_class c
		JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant' AND NOT a.attisdropped
		WHERE c.relnamespace = 'event_catalog'::regnamespace AND c.relkind = 'r'
		ORDER BY c.relname
	LOOP
		EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON event_catalog.%I', t);
		IF enabled THEN
			EXECUTE format('ALTER TABLE event_catalog.%I ENABLE ROW LEVEL SECURITY', t);
			-- quarantined lines whose tenant could not be read belong to no tenant
			EXECUTE format($p$CREATE POLICY tenant_isolation ON event_catalog.%I
							  USING (tenant OPERATOR(pg_catalog.=) event_catalog.current_tenant() %2$s)
							  WITH CHECK (tenant OPERATOR(pg_catalog.=) event_catalog.current_tenant() %2$s) $p$,
						   t, CASE WHEN t = 'rejected_events' THEN 'OR tenant IS NULL' ELSE '' END);
		ELSE
			EXECUTE format('ALTER TABLE event_catalog.%I DISABLE ROW LEVEL SECURITY', t);
		END IF;
	END LOOP;
END
$$;

CREATE FUNCTION event_catalog.enable_tenant_isolation()
RETURNS void
LANGUAGE sql
AS $$ SELECT event_catalog.set_tenant_isolation(true) $$;

CREATE FUNCTION event_catalog.disable_tenant_isolation()
RETURNS void
LANGUAGE sql
AS $$ SELECT event_catalog.set_tenant_isolation(false) $$;

-- the tenant of event_catalog.tenant, or null
CREATE FUNCTION event_catalog.current_tenant()
RETURNS integer
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT NULLIF(pg_catalog.current_setting('event_catalog.tenant', true), '')::integer $$;

GRANT EXECUTE ON FUNCTION event_catalog.current_tenant() TO PUBLIC;
