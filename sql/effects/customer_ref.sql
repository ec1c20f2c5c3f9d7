/*
 * effects/customer_ref.sql
 *	  A customer, as the upkeep functions take them.
 */

CREATE TYPE event_catalog_internal.customer_ref AS (tenant integer, customer_id text);
