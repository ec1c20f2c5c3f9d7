/*
 * updates/1.0--1.1/erasure.sql
 *	  erase_customer's table (before the functions, which read it), and
 *	  admins may delete API writes.
 */
\ir ../../erasure/tables.sql

GRANT DELETE ON event_catalog.customer_updates TO event_catalog_admin;
