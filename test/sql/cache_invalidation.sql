-- cache_invalidation: catalog changes are seen by the next statement of the
-- same session (another session's view is tested in test/isolation)

SELECT code FROM problems(ev('flash_sale'));
SELECT event_catalog.define_event('{"event": "flash_sale", "params": [{"key": "sku", "type": "string"}]}');
SELECT code FROM problems(ev('flash_sale', '{"sku": 1}'));

-- direct edits of the tables are seen too
UPDATE event_catalog.event_params SET data_type = 'number', max_length = NULL
WHERE event_key = 'flash_sale' AND param_key = 'sku';
SELECT code FROM problems(ev('flash_sale', '{"sku": 1}'));
INSERT INTO event_catalog.event_params (event_key, param_key, position, data_type, requirement)
VALUES ('flash_sale', 'store', 2, 'string', 'mandatory');
SELECT path, code FROM problems(ev('flash_sale', '{"sku": 1}'));

-- inside a transaction, and undone by rollback
BEGIN;
DELETE FROM event_catalog.event_types WHERE event_key = 'flash_sale';
SELECT code FROM problems(ev('flash_sale'));
ROLLBACK;
SELECT path, code FROM problems(ev('flash_sale'));

-- TRUNCATE of params is seen
BEGIN;
TRUNCATE event_catalog.event_params;
SELECT code FROM problems(ev('ootb_login', '{"ootb_balance": 1}'));
ROLLBACK;
SELECT code FROM problems(ev('ootb_login', '{"ootb_balance": 1}'));

-- drop_event is seen by the next statement
SELECT event_catalog.drop_event('flash_sale');
SELECT code FROM problems(ev('flash_sale'));
