/*
 * compat.h: what differs between the PostgreSQL releases event_catalog
 * builds against, 15 to 18, in one place.  Each difference is a name
 * defined here for every release, chosen by PG_VERSION_NUM; the rest of
 * the code uses these names and never tests the version itself.  Include
 * it after postgres.h.
 */
#ifndef EC_COMPAT_H
#define EC_COMPAT_H

#include "common/jsonapi.h"

#if PG_VERSION_NUM < 150000
#error "event_catalog needs PostgreSQL 15 or later"
#endif

/* varlena macros (VARDATA_ANY...): their own header since 16 */
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

/*
 * Functions that do not return: 18 spells the attribute pg_noreturn, in
 * front of the declaration; earlier releases pg_attribute_noreturn(),
 * which compilers also take in front.
 */
#if PG_VERSION_NUM < 180000
#define pg_noreturn pg_attribute_noreturn()
#endif

/*
 * Memory for a GUC check hook's extra: GUC frees it with guc_free() since
 * 16, with free() before.
 */
#if PG_VERSION_NUM >= 160000
#define ec_guc_malloc(size) guc_malloc(LOG, (size))
#else
#define ec_guc_malloc(size) malloc(size)
#endif

/*
 * ExecutorRun hooks: 18 dropped the execute_once argument.  A hook is
 * declared with EC_EXECUTOR_RUN_ARGS and passes them on with
 * EC_EXECUTOR_RUN_PASS.
 */
#if PG_VERSION_NUM >= 180000
#define EC_EXECUTOR_RUN_ARGS \
	QueryDesc *queryDesc, ScanDirection direction, uint64 count
#define EC_EXECUTOR_RUN_PASS queryDesc, direction, count
#else
#define EC_EXECUTOR_RUN_ARGS \
	QueryDesc *queryDesc, ScanDirection direction, uint64 count, bool execute_once
#define EC_EXECUTOR_RUN_PASS queryDesc, direction, count, execute_once
#endif

/* running a portal-less query to the end once: ExecutorRun's arguments */
#if PG_VERSION_NUM >= 180000
#define ec_executor_run_all(qd) ExecutorRun((qd), ForwardScanDirection, 0)
#else
#define ec_executor_run_all(qd) ExecutorRun((qd), ForwardScanDirection, 0, true)
#endif

/*
 * The JSON parser: since 16 semantic actions return an error code (an
 * action declares ec_json_action_result and ends with EC_JSON_ACTION_DONE);
 * since 17 makeJsonLexContextCstringLen() may fill a caller's struct, here
 * always a new one.
 */
#if PG_VERSION_NUM >= 160000
typedef JsonParseErrorType ec_json_action_result;
#define EC_JSON_ACTION_DONE return JSON_SUCCESS
#else
typedef void ec_json_action_result;
#define EC_JSON_ACTION_DONE return
#endif

#if PG_VERSION_NUM >= 170000
#define ec_json_lex_context(json, len) \
	makeJsonLexContextCstringLen(NULL, (json), (len), GetDatabaseEncoding(), true)
#else
#define ec_json_lex_context(json, len) \
	makeJsonLexContextCstringLen((json), (len), GetDatabaseEncoding(), true)
#endif

/*
 * Index scans: 18 takes a place for instrumentation (none here).
 */
#if PG_VERSION_NUM >= 180000
#define ec_index_beginscan(heap, index, snapshot, nkeys, norderbys) \
	index_beginscan((heap), (index), (snapshot), NULL, (nkeys), (norderbys))
#else
#define ec_index_beginscan(heap, index, snapshot, nkeys, norderbys) \
	index_beginscan((heap), (index), (snapshot), (nkeys), (norderbys))
#endif

/*
 * The primary key index: 18 asks whether a deferrable one will do; it
 * would not before 18, nor here.
 */
#if PG_VERSION_NUM >= 180000
#define ec_primary_key_index(rel) RelationGetPrimaryKeyIndex((rel), false)
#else
#define ec_primary_key_index(rel) RelationGetPrimaryKeyIndex(rel)
#endif

/* a range from its bounds: 16 takes where to report a bad one softly */
#if PG_VERSION_NUM >= 160000
#define ec_make_range(typcache, lower, upper, empty) \
	make_range((typcache), (lower), (upper), (empty), NULL)
#else
#define ec_make_range(typcache, lower, upper, empty) \
	make_range((typcache), (lower), (upper), (empty))
#endif

#endif							/* EC_COMPAT_H */
