-- distribute() without Citus: a clear error, nothing changed
SELECT event_catalog.distribute();
SELECT count(*) AS person_key_columns FROM pg_catalog.pg_attribute
WHERE attrelid = 'event_catalog.events'::regclass AND attname = 'person_key';
