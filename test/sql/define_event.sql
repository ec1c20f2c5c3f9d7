-- define_event: custom events, extra params on builtin events, and every
\set SHOW_CONTEXT never
-- error a bad definition gets

SELECT event_catalog.define_event('{
  "event": "bet_placed", "display_name": "Bet Placed", "category": "gaming",
  "description": "A customer placed a bet.", "requires_customer": true,
  "params": [
    {"key": "amount", "type": "number", "requirement": "mandatory"},
    {"key": "market", "type": "string", "allowed_values": ["football", "tennis"]},
    {"key": "odds_format", "type": "string", "max_length": 8},
    {"key": "is_live", "type": "boolean"},
    {"key": "placed_on", "type": "date"},
    {"key": "settles_at", "type": "timestamp", "description": "expected settlement"},
    {"key": "stake_level", "type": "number", "allowed_values": [1, 2, 3]},
    {"key": "vip_tier", "type": "string", "profile_attribute": "vip_tier"},
    {"key": "email", "type": "string", "requirement": "channel", "channel": "email"}
  ]}');

SELECT event_key, display_name, category, builtin, requires_customer, fail_safe
FROM event_catalog.event_types WHERE event_key = 'bet_placed';
SELECT position, param_key, data_type, requirement, channel, allowed_values, max_length,
       profile_attribute, builtin
FROM event_catalog.event_params WHERE event_key = 'bet_placed' ORDER BY position;

-- the new event validates at once
SELECT * FROM problems(ev('bet_placed', '{"amount": 5, "market": "golf", "odds_format": "fractional",
    "is_live": "yes", "placed_on": "2026-02-30", "settles_at": "2026-06-09T20:00:00Z", "stake_level": 2.0}'));
SELECT * FROM problems(ev('bet_placed') - 'customer' || '{"visitor": "v"}');
SELECT * FROM problems(ev('bet_placed', '{"amount": 1, "stake_level": 4}'));

-- replace: the new definition wins, params not given are gone
SELECT event_catalog.define_event('{"event": "bet_placed", "params": [{"key": "amount", "type": "number"}]}');
SELECT event_key, display_name, category, requires_customer FROM event_catalog.event_types
WHERE event_key = 'bet_placed';
SELECT param_key, requirement FROM event_catalog.event_params WHERE event_key = 'bet_placed';
SELECT * FROM problems(ev('bet_placed', '{"market": "golf"}'));

-- minimal definition
SELECT event_catalog.define_event('{"event": "page_view"}');
SELECT event_catalog.validate_event(ev('page_view'));
SELECT event_catalog.event_definition('page_view');

-- a builtin event can be given extra custom params
SELECT event_catalog.define_event('{"event": "ootb_login", "params": [
    {"key": "ootb_device_model", "type": "string"}, {"key": "vip", "type": "boolean"}]}');
SELECT position, param_key, builtin FROM event_catalog.event_params
WHERE event_key = 'ootb_login' AND position > 10 ORDER BY position;
SELECT * FROM problems(ev('ootb_login', '{"vip": "yes", "ootb_device_model": "pixel"}'));
-- ... and they can be replaced, but builtin params stay
SELECT event_catalog.define_event('{"event": "ootb_login", "params": [{"key": "vip", "type": "string"}]}');
SELECT count(*) FILTER (WHERE builtin) AS builtin, count(*) FILTER (WHERE NOT builtin) AS custom
FROM event_catalog.event_params WHERE event_key = 'ootb_login';
-- an exported builtin definition loads back unchanged, custom params included
SELECT event_catalog.define_event(event_catalog.event_definition('ootb_login'));
SELECT string_agg(param_key, ',' ORDER BY position) FILTER (WHERE NOT builtin)
FROM event_catalog.event_params WHERE event_key = 'ootb_login';

-- builtin events cannot be replaced
SELECT event_catalog.define_event('{"event": "ootb_login", "display_name": "My Login"}');
SELECT event_catalog.define_event('{"event": "ootb_self_exclusion_lifted", "requires_customer": false}');
SELECT event_catalog.define_event('{"event": "ootb_login", "params": [{"key": "ootb_balance", "type": "string"}]}');
SELECT event_catalog.define_event('{"event": "my_event", "fail_safe": true}');
SELECT event_catalog.define_event('{"event": "my_event", "builtin": true}');

-- bad definitions: each error names the bad field
SELECT event_catalog.define_event('[]');
SELECT event_catalog.define_event('{"display_name": "x"}');
SELECT event_catalog.define_event('{"event": 5}');
SELECT event_catalog.define_event('{"event": "BetPlaced"}');
SELECT event_catalog.define_event('{"event": "bet placed"}');
SELECT event_catalog.define_event('{"event": "bet__placed"}');
SELECT event_catalog.define_event('{"event": "_bet"}');
SELECT event_catalog.define_event(jsonb_build_object('event', repeat('a', 101)));
SELECT event_catalog.define_event('{"event": "e", "requird": true}');
SELECT event_catalog.define_event('{"event": "e", "display_name": 5}');
SELECT event_catalog.define_event('{"event": "e", "requires_customer": "yes"}');
SELECT event_catalog.define_event('{"event": "e", "category": "Casino Games"}');
SELECT event_catalog.define_event('{"event": "e", "params": {"key": "a"}}');
SELECT event_catalog.define_event('{"event": "e", "params": ["a"]}');
SELECT event_catalog.define_event('{"event": "e", "params": [{"type": "string"}]}');
SELECT event_catalog.define_event('{"event": "e", "params": [{"key": "Amount", "type": "number"}]}');
SELECT event_catalog.define_event('{"event": "e", "params": [{"key": "a", "type": "number"}, {"key": "a", "type": "string"}]}');
SELECT event_catalog.define_event('{"event": "e", "params": [{"key": "a", "type": "money"}]}');
SELECT event_catalog.define_event('{"event": "e", "params": [{"key": "a"}]}');
SELECT event_catalog.define_event('{"event": "e", "params": [{"key": "a", "type": "string", "requirement": "required"}]}');
SELECT event_catalog.define_event('{"event": "e", "params": [{"key": "a", "type": "string", "requirement": "channel"}]}');
SELECT event_catalog.define_event('{"event": "e", "params": [{"key": "a", "type": "string", "requirement": "channel", "channel": "fax"}]}');
SELECT event_catalog.define_event('{"event": "e", "params": [{"key": "a", "type": "string", "channel": "email"}]}');
SELECT event_catalog.define_event('{"event": "e", "params": [{"key": "a", "type": "string", "allowed_values": []}]}');
SELECT event_catalog.define_event('{"event": "e", "params": [{"key": "a", "type": "string", "allowed_values": "x"}]}');
SELECT event_catalog.define_event('{"event": "e", "params": [{"key": "a", "type": "string", "allowed_values": ["x", 1]}]}');
SELECT event_catalog.define_event('{"event": "e", "params": [{"key": "a", "type": "boolean", "allowed_values": [true]}]}');
SELECT event_catalog.define_event('{"event": "e", "params": [{"key": "a", "type": "number", "max_length": 5}]}');
SELECT event_catalog.define_event('{"event": "e", "params": [{"key": "a", "type": "string", "max_length": 0}]}');
SELECT event_catalog.define_event('{"event": "e", "params": [{"key": "a", "type": "string", "max_length": 2.5}]}');
SELECT event_catalog.define_event('{"event": "e", "params": [{"key": "a", "type": "string", "max_length": "10"}]}');
SELECT event_catalog.define_event('{"event": "e", "params": [{"key": "a", "type": "string", "profile_attribute": "VIP Tier"}]}');
SELECT event_catalog.define_event('{"event": "e", "params": [{"key": "a", "type": "string", "optional": true}]}');
SELECT event_catalog.define_event(jsonb_build_object('event', 'e', 'params',
    (SELECT jsonb_agg(jsonb_build_object('key', 'p' || i, 'type', 'string')) FROM generate_series(1, 51) i)));
-- nothing was half-done by the failures
SELECT count(*) FROM event_catalog.event_types WHERE event_key IN ('e', 'my_event');

-- drop_event
SELECT event_catalog.drop_event('page_view');
SELECT event_catalog.drop_event('page_view');
SELECT event_catalog.drop_event('ootb_login');
SELECT * FROM problems(ev('page_view'));

-- export and re-import round trip of a custom event
SELECT event_catalog.event_definition('bet_placed') AS def \gset
SELECT event_catalog.drop_event('bet_placed');
SELECT event_catalog.define_event(:'def');
SELECT event_catalog.event_definition('bet_placed') = :'def' AS same;

-- clean up the custom params of ootb_login
SELECT event_catalog.define_event('{"event": "ootb_login"}');
SELECT count(*) FROM event_catalog.event_params WHERE event_key = 'ootb_login' AND NOT builtin;
