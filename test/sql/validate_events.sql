-- validate_events: for each seeded event a valid example from the reference
-- passes, and a broken variant gets the expected code and path

CREATE TEMP TABLE examples (event_key text, context jsonb, broken jsonb);
INSERT INTO examples VALUES
('ootb_user_details_update',
 '{"ootb_email": "john@example.com", "ootb_mobile_number": "+1234567890", "ootb_status": "Completed",
   "ootb_registration_source": "product page", "ootb_date_of_birth": "1990-01-15",
   "ootb_allow_email": "Yes", "ootb_allow_sms": "Yes", "ootb_allow_push": "Yes", "ootb_allow_whatsapp": "Yes",
   "ootb_is_email_verified": true, "ootb_is_mobile_verified": true, "ootb_is_blocked": false,
   "ootb_is_test": false, "ootb_gender": "male", "ootb_country": "US", "ootb_city": "NYC",
   "ootb_address": "Street 1111", "ootb_first_name": "John", "ootb_last_name": "Doe",
   "ootb_language": "en", "ootb_currency": "USD", "ootb_brand": "", "ootb_alias": "johndoe90",
   "ootb_referral_type": "Advertising", "ootb_affiliate_id": "", "ootb_platform": "iOS",
   "ootb_promo_code": "WELCOME2024", "ootb_license": "licenseXYZ"}',
 '{"ootb_allow_email": "Y"}'),
('ootb_registration_initiated',
 '{"ootb_session_id": "s-1", "ootb_form_location": "homepage", "ootb_referral_source": "facebook", "ootb_language": "en"}',
 '{"ootb_session_id": 1}'),
('ootb_registration_failed',
 '{"ootb_session_id": "s-1", "ootb_eventdatetime": "2025-04-07T16:03:00Z", "ootb_email": "a@b.c",
   "ootb_failure_reason": "email_already_exists", "ootb_failure_code": "REG_001", "ootb_form_location": "homepage",
   "ootb_referral_source": "organic", "ootb_language": "en", "ootb_country": "US"}',
 '{"ootb_eventdatetime": "2025-04-31T16:03:00Z"}'),
('ootb_registration',
 '{"ootb_email": "a@b.c", "ootb_mobile_number": "+1", "ootb_status": "Started", "ootb_registration_source": "checkout",
   "ootb_date_of_birth": "1990-01-15", "ootb_allow_email": "No", "ootb_allow_sms": "Yes", "ootb_allow_push": "No",
   "ootb_is_test": false}',
 '{"ootb_status": "started"}'),
('ootb_self_exclusion_initiated',
 '{"ootb_self_exclusion_start_date": "2024-05-27T12:00:00Z", "ootb_self_exclusion_duration": "30_days",
   "ootb_self_exclusion_expiry_date": "2024-06-26T12:00:00Z", "ootb_exclusion_type": 0, "ootb_reason": "user_requested",
   "ootb_platform": "web", "ootb_channel": "desktop", "ootb_brand": "brand123", "ootb_license": "licenseXYZ"}',
 '{"ootb_exclusion_type": "0"}'),
('ootb_self_exclusion_activated',
 '{"ootb_self_exclusion_start_date": "2024-05-27T12:00:00Z", "ootb_self_exclusion_expiry_date": "2024-06-26T12:00:00Z",
   "ootb_platform": "web", "ootb_channel": "desktop", "ootb_brand": "brand123", "ootb_license": "licenseXYZ"}',
 '{"ootb_self_exclusion_start_date": "27/05/2024"}'),
('ootb_self_exclusion_updated',
 '{"ootb_self_exclusion_start_date": "2024-05-27T12:00:00Z", "ootb_self_exclusion_duration": "30_days",
   "ootb_self_exclusion_expiry_date": "2024-06-26T12:00:00Z", "ootb_exclusion_type": 0, "ootb_reason": "restricted player",
   "ootb_platform": "web", "ootb_channel": "mobile", "ootb_brand": "brand123", "ootb_license": "licenseXYZ"}',
 '{"ootb_exclusion_type": 3}'),
('ootb_self_exclusion_violation_attempt',
 '{"ootb_violation_attempt_timestamp": "2024-05-28T08:00:00Z", "ootb_attempted_action": "login_attempt",
   "ootb_platform": "web", "ootb_channel": "desktop", "ootb_brand": "brand123", "ootb_license": "licenseXYZ"}',
 '{"ootb_violation_attempt_timestamp": "2024-05-28T08:00:61Z"}'),
('ootb_self_exclusion_lifted',
 '{"ootb_self_exclusion_end_date": "2024-06-26T12:00:00Z", "ootb_platform": "web", "ootb_channel": "system",
   "ootb_brand": "brand123", "ootb_license": "licenseXYZ"}',
 '{"ootb_license": false}'),
('ootb_login',
 '{"ootb_login_timestamp": "2024-05-27T10:30:00Z", "ootb_balance": 100.5, "ootb_is_first_login": false,
   "ootb_session_ref": "abc", "ootb_ccy_code": "USD", "ootb_language": "en", "ootb_country": "US",
   "ootb_platform": "iOS", "ootb_channel": "app", "ootb_skin_id": "s1", "ootb_license": "l1"}',
 '{"ootb_is_first_login": "no"}'),
('ootb_deposit',
 '{"ootb_transaction_id": "t-1", "ootb_deposit_timestamp": "2022-04-09T20:01:51.887000Z", "ootb_start_balance": 0,
   "ootb_deposit_amount": 50, "ootb_deposit_method": "credit_card", "ootb_deposit_status": "completed",
   "ootb_language": "en", "ootb_country": "US", "ootb_platform": "Web", "ootb_channel": "web",
   "ootb_brand": "b", "ootb_license": "l"}',
 '{"ootb_deposit_amount": null}'),
('ootb_withdrawal',
 '{"ootb_transaction_id": "t-2", "ootb_withdrawal_timestamp": "2024-05-27T10:30:00Z", "ootb_withdrawal_amount": 20,
   "ootb_withdrawal_method": "bank", "ootb_withdrawal_status": "completed"}',
 '{"ootb_withdrawal_amount": "20"}'),
('ootb_balance_update',
 '{"ootb_transaction_id": "t-3", "ootb_action": "bet", "ootb_update_amount": -10, "ootb_bonus_amount": 0,
   "ootb_balance_before": 100, "ootb_balance_after": 90, "ootb_change_rate": -0.1}',
 '{"ootb_change_rate": "10%"}'),
('ootb_deposit_limit_updated',
 '{"ootb_deposit_limit_daily": 100, "ootb_deposit_limit_weekly": 500, "ootb_deposit_limit_monthly": 1000,
   "ootb_deposit_limit_lifetime": 10000, "ootb_deposit_limit_change_rate_daily": 20,
   "ootb_limit_change_reason": "user_requested", "ootb_limit_change_source": "user_preferences"}',
 '{"ootb_deposit_limit_daily": true}');

-- every seeded event has an example here
SELECT t.event_key FROM event_catalog.event_types t
LEFT JOIN examples x USING (event_key) WHERE x.event_key IS NULL;

-- the valid examples: no problems at all
SELECT event_key, event_catalog.validate_event(ev(event_key, context)) AS problems,
       event_catalog.is_valid_event(ev(event_key, context)) AS valid
FROM examples ORDER BY event_key;

-- the examples use every param of their event
SELECT x.event_key, p.param_key AS not_in_example
FROM examples x JOIN event_catalog.event_params p USING (event_key)
WHERE NOT x.context ? p.param_key AND x.event_key NOT IN ('ootb_registration', 'ootb_withdrawal',
      'ootb_deposit_limit_updated')
ORDER BY 1, 2;

-- the broken variants
SELECT x.event_key, p.*
FROM examples x, problems(ev(x.event_key, x.context || x.broken)) p
ORDER BY x.event_key;

-- the documented example timestamp forms of the top level and of params
SELECT event_catalog.validate_event(ev('ootb_login') || '{"timestamp": "2024-05-27 10:30:00.000000 UTC"}');
