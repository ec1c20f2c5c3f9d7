-- guc: every value of every event_catalog setting

-- the settings exist once the library is loaded (any function call does)
SELECT event_catalog.is_valid_event('{}');

SELECT name, setting, context, vartype, enumvals
FROM pg_settings WHERE name LIKE 'event_catalog.%' ORDER BY name;

-- the prefix is reserved: a typo is an error
SET event_catalog.unknown_param = 'allow';

-- unknown_params: warn (default) | allow | reject
SELECT * FROM problems(ev('ootb_login', '{"my_param": 1}'));
SET event_catalog.unknown_params = allow;
SELECT * FROM problems(ev('ootb_login', '{"my_param": 1}'));
SELECT event_catalog.is_valid_event(ev('ootb_login', '{"my_param": 1}'));
SET event_catalog.unknown_params = reject;
SELECT * FROM problems(ev('ootb_login', '{"my_param": 1}'));
SELECT event_catalog.is_valid_event(ev('ootb_login', '{"my_param": 1}'));
SET event_catalog.unknown_params = 'sometimes';
RESET event_catalog.unknown_params;

-- unknown_events: reject (default) | accept
SELECT * FROM problems(ev('my_unknown_event', '{"x": 1}'));
SELECT event_catalog.is_valid_event(ev('my_unknown_event'));
SET event_catalog.unknown_events = accept;
SELECT * FROM problems(ev('my_unknown_event', '{"x": 1}'));
SELECT event_catalog.is_valid_event(ev('my_unknown_event'));
-- accepted unknown events still need valid mandatory properties
SELECT * FROM problems(ev('my_unknown_event') - 'tenant');
SET event_catalog.unknown_events = 'maybe';
RESET event_catalog.unknown_events;

-- channels: a channel param of an enabled channel is mandatory
SHOW event_catalog.channels;
SELECT * FROM problems(ev('ootb_user_details_update'));
SET event_catalog.channels = 'email';
SELECT * FROM problems(ev('ootb_user_details_update'));
SET event_catalog.channels = ' sms , whatsapp,';
SELECT * FROM problems(ev('ootb_user_details_update', '{"ootb_allow_sms": "No"}'));
SET event_catalog.channels = 'email,sms,push,whatsapp';
SELECT * FROM problems(ev('ootb_user_details_update'));
-- null does not satisfy a channel param
SELECT * FROM problems(ev('ootb_user_details_update', '{"ootb_email": null, "ootb_allow_email": "Yes",
    "ootb_mobile_number": "+1", "ootb_allow_sms": "No", "ootb_allow_push": "No", "ootb_allow_whatsapp": "No"}'));
-- channel params are mandatory only where the catalog says channel
SELECT * FROM problems(ev('ootb_registration'));
SET event_catalog.channels = 'email,fax';
SET event_catalog.channels = '';
SELECT * FROM problems(ev('ootb_user_details_update'));
RESET event_catalog.channels;

-- on_invalid: error (default) | quarantine (used by ingest)
SHOW event_catalog.on_invalid;
SET event_catalog.on_invalid = quarantine;
SHOW event_catalog.on_invalid;
SET event_catalog.on_invalid = 'drop';
RESET event_catalog.on_invalid;

-- timestamp_format: lenient (default) | strict
SET event_catalog.timestamp_format = strict;
SELECT t, (SELECT string_agg(code, ',') FROM problems(ev('ootb_login') ||
           jsonb_build_object('timestamp', t))) AS codes
FROM unnest(ARRAY['2026-06-09 10:15:00.000000 UTC', '2026-06-09 10:15:00.123456 UTC',
                  '2026-06-09 10:15:00 UTC', '2026-06-09 10:15:00.123 UTC',
                  '2026-06-09T10:15:00.000000Z', '2026-02-29 10:15:00.000000 UTC']) t;
-- strict applies to the top-level timestamp only, not to params
SELECT * FROM problems(ev('ootb_login', '{"ootb_login_timestamp": "2026-06-09T10:15:00Z"}'));
SET event_catalog.timestamp_format = 'exact';
RESET event_catalog.timestamp_format;
SELECT * FROM problems(ev('ootb_login') || '{"timestamp": "2026-06-09T10:15:00Z"}');

-- settings are per transaction when set with SET LOCAL
BEGIN;
SET LOCAL event_catalog.unknown_params = reject;
SELECT event_catalog.is_valid_event(ev('ootb_login', '{"x": 1}'));
COMMIT;
SELECT event_catalog.is_valid_event(ev('ootb_login', '{"x": 1}'));

-- Typos before the library is loaded.  Without the setup step, a new
-- session that SETs before any event_catalog call gets a placeholder: the
-- misspelt name and the bad value are accepted, then dropped with a warning
-- when the library loads, and on_invalid stays error.
\c
SET event_catalog.on_invlid = x;
SET event_catalog.on_invalid = quarantined;
SELECT event_catalog.is_valid_event('{}');
SHOW event_catalog.on_invalid;
-- The setup step (README, "Settings"): the library loaded at the start of
-- every session of the database, so both are errors at SET time
SELECT format('ALTER DATABASE %I SET session_preload_libraries = %L', current_database(), 'event_catalog')
\gexec
\c
SET event_catalog.on_invlid = x;
SET event_catalog.on_invalid = quarantined;
SHOW event_catalog.on_invalid;
SET event_catalog.on_invalid = quarantine;
SHOW event_catalog.on_invalid;
SELECT format('ALTER DATABASE %I RESET session_preload_libraries', current_database())
\gexec
