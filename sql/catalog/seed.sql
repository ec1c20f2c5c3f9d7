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
	   CASE WHEN p.type = 'string' THEN event_catalog_internal.limit_value('default_max_length') END, p.attr, p.descr, true
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
	   CASE WHEN p.type = 'string' THEN event_catalog_internal.limit_value('default_max_length') END, p.descr, true
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
SELECT t.event_key, m.key, 100 + m.pos, 'string', 'optional', event_catalog_internal.limit_value('default_max_length'), m.descr, true
FROM event_catalog.event_types t,
	 (VALUES (1, 'ootb_platform', 'Platform, e.g. iOS, Android, Web.'),
			 (2, 'ootb_channel', 'Channel, e.g. mobile, desktop, system.'),
			 (3, 'ootb_brand', 'Brand associated with the event.'),
			 (4, 'ootb_license', 'License or regulation identifier.')) AS m(pos, key, descr)
WHERE t.category = 'self_exclusion';
