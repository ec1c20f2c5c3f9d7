-- catalog: the seeded OOTB events and the seeding choices of SPEC section 2

SELECT event_key, category, builtin, requires_customer, fail_safe
FROM event_catalog.event_types ORDER BY event_key;

-- params per event and their requirements
SELECT event_key, count(*) AS params,
       count(*) FILTER (WHERE requirement = 'mandatory') AS mandatory,
       count(*) FILTER (WHERE requirement = 'channel') AS channel,
       count(*) FILTER (WHERE requirement = 'enrichment') AS enrichment
FROM event_catalog.event_params GROUP BY event_key ORDER BY event_key;

-- User Details Update in full, in catalog order
SELECT position, param_key, data_type, requirement, channel, allowed_values,
       max_length, profile_attribute
FROM event_catalog.event_params
WHERE event_key = 'ootb_user_details_update' ORDER BY position;

-- seeding choices: allow_* Yes/No strings, is_* booleans, status values,
-- date of birth a date, dates and times timestamps, exclusion type 0/1
SELECT DISTINCT data_type, allowed_values
FROM event_catalog.event_params WHERE param_key LIKE 'ootb_allow_%';
SELECT DISTINCT data_type FROM event_catalog.event_params WHERE param_key LIKE 'ootb_is_%';
SELECT DISTINCT allowed_values FROM event_catalog.event_params WHERE param_key = 'ootb_status';
SELECT DISTINCT data_type FROM event_catalog.event_params WHERE param_key = 'ootb_date_of_birth';
SELECT param_key, array_agg(DISTINCT data_type) AS types
FROM event_catalog.event_params
WHERE param_key ~ '(_date|_timestamp|eventdatetime)$'
GROUP BY param_key ORDER BY param_key;
SELECT DISTINCT data_type, allowed_values
FROM event_catalog.event_params WHERE param_key = 'ootb_exclusion_type';

-- registration failed carries the union of both documented versions
SELECT string_agg(param_key, ', ' ORDER BY position)
FROM event_catalog.event_params WHERE event_key = 'ootb_registration_failed';

-- the shared metadata params on all five self-exclusion events
SELECT event_key, string_agg(param_key, ', ' ORDER BY position)
FROM event_catalog.event_params
WHERE event_key LIKE 'ootb_self_exclusion%' GROUP BY event_key ORDER BY event_key;

-- every string param has a max_length, no other param has one
SELECT data_type, count(*) FILTER (WHERE max_length IS NULL) AS without,
       count(*) FILTER (WHERE max_length IS NOT NULL) AS with
FROM event_catalog.event_params GROUP BY data_type ORDER BY data_type;

-- the tables enforce their rules
\set VERBOSITY terse
INSERT INTO event_catalog.event_types (event_key, display_name) VALUES ('Bad Key', 'x');
INSERT INTO event_catalog.event_params (event_key, param_key, position, data_type)
VALUES ('ootb_login', 'x', 99, 'money');
INSERT INTO event_catalog.event_params (event_key, param_key, position, data_type, requirement)
VALUES ('ootb_login', 'x', 99, 'string', 'channel');
INSERT INTO event_catalog.event_params (event_key, param_key, position, data_type, max_length)
VALUES ('ootb_login', 'x', 99, 'boolean', 10);
INSERT INTO event_catalog.event_params (event_key, param_key, position, data_type)
VALUES ('no_such_event', 'x', 1, 'string');
INSERT INTO event_catalog.event_params (event_key, param_key, position, data_type, requirement, channel)
VALUES ('ootb_login', 'x', 99, 'string', 'optional', 'email');
INSERT INTO event_catalog.event_params (event_key, param_key, position, data_type, allowed_values)
VALUES ('ootb_login', 'x', 99, 'boolean', '{true}');
\set VERBOSITY default

-- the catalog tables are dumped, but only their user rows
SELECT c.relname, d.cfg
FROM pg_extension e,
     unnest(e.extconfig, e.extcondition) AS d(oid, cfg)
     JOIN pg_class c ON c.oid = d.oid
WHERE e.extname = 'event_catalog' ORDER BY 1;

-- export_catalog: one definition per event, loadable with define_event
SELECT jsonb_array_length(event_catalog.export_catalog()) AS events;
SELECT jsonb_pretty(e) FROM jsonb_array_elements(event_catalog.export_catalog()) e
WHERE e->>'event' = 'ootb_self_exclusion_activated';
-- re-loading the export changes nothing
CREATE TEMP TABLE before AS SELECT event_catalog.export_catalog() AS c;
SELECT count(*) FROM jsonb_array_elements(event_catalog.export_catalog()) d,
     LATERAL event_catalog.define_event(d);
SELECT c = event_catalog.export_catalog() AS unchanged FROM before;
