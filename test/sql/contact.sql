-- contact: an unknown channel is the same error for every customer,
-- whether the customer exists, consented or not, and for every tenant

SELECT event_catalog.track('{"tenant": 75, "timestamp": "2026-06-09T10:00:00Z", "event": "ootb_user_details_update",
    "customer": "cc1", "context": {"ootb_email": "cc1@example.com", "ootb_allow_email": "Yes"}}') > 0 AS tracked;
SELECT event_catalog.track('{"tenant": 75, "timestamp": "2026-06-09T10:00:00Z", "event": "ootb_user_details_update",
    "customer": "cc2", "context": {"ootb_email": "cc2@example.com", "ootb_allow_email": "No"}}') > 0 AS tracked;
SELECT event_catalog.can_contact(75, 'cc1', 'email') AS cc1_email, event_catalog.can_contact(75, 'cc2', 'email') AS cc2_email;

-- a consenting customer, a refusing one, an unknown one, an unknown tenant
SELECT event_catalog.can_contact(75, 'cc1', 'fax');
SELECT event_catalog.can_contact(75, 'cc2', 'fax');
SELECT event_catalog.can_contact(75, 'nobody', 'fax');
SELECT event_catalog.can_contact(76, 'nobody', 'fax');
SELECT event_catalog.can_contact(75, 'cc1', 'Email');
-- the set: with and without customers
SELECT count(*) FROM event_catalog.contactable_customers(75, 'fax');
SELECT count(*) FROM event_catalog.contactable_customers(76, 'fax');
-- as a parameter (a prepared statement, generic plan), row by row
PREPARE cc(integer, text, text) AS SELECT event_catalog.can_contact($1, $2, $3);
SET plan_cache_mode = force_generic_plan;
EXECUTE cc(75, 'cc1', 'email');
EXECUTE cc(75, 'cc1', 'fax');
EXECUTE cc(76, 'nobody', 'fax');
SELECT c.id, event_catalog.can_contact(75, c.id, 'fax') FROM (VALUES ('nobody'), ('cc1')) c(id);
RESET plan_cache_mode;
DEALLOCATE cc;

DELETE FROM event_catalog.events WHERE tenant = 75;
