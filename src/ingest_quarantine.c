/*-------------------------------------------------------------------------
 *
 * ingest_quarantine.c
 *	  Refused events on the insert path: which events may be stored, and
 *	  the rows that keep the others in event_catalog.rejected_events, with
 *	  their problems, when event_catalog.on_invalid is quarantine.
 *
 *	  An event is stored when it has no errors, or when it is fail-safe and
 *	  only its context has errors.  A quarantined event keeps whatever could
 *	  be read of it (tenant, event key and customer only where valid, the
 *	  payload or the raw line) and always a problem list.  The row is
 *	  written as the owner of events (no role may write the quarantine
 *	  itself, so nobody can forge a quarantined event), in the name of the
 *	  loading role (rejected_by).  A row quarantined by a load carries the
 *	  load's id and its line number in the load (ingest_load.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/rel.h"

#include "catalog_cache.h"
#include "citus.h"
#include "ingest.h"
#include "validate.h"

/* the insert of a quarantined row, without and with its load and line */
static SPIPlanPtr quarantine_plans[4];	/* in a load: +1; on a shard: +2 */

/*
 * Act as the owner of rel until ec_restore_user; an error restores the
 * caller's identity with the (sub)transaction, as for a SECURITY DEFINER
 * function.
 */
void
ec_become_owner(Relation rel, EcSavedUser *saved)
{
	GetUserIdAndSecContext(&saved->userid, &saved->sec_context);
	SetUserIdAndSecContext(rel->rd_rel->relowner,
						   saved->sec_context | SECURITY_LOCAL_USERID_CHANGE);
}

void
ec_restore_user(const EcSavedUser *saved)
{
	SetUserIdAndSecContext(saved->userid, saved->sec_context);
}

/*
 * May the event be stored?  Yes without errors; a fail-safe event also with
 * errors in its context, as long as its properties are valid.
 */
bool
ec_event_acceptable(const EcValidation *v)
{
	return !v->has_error ||
		(v->def != NULL && v->def->fail_safe && !v->has_property_error);
}

/*
 * Store a rejected event in rejected_events, as the owner of rel (the
 * events table): the loading role has no write access to the quarantine,
 * so it cannot forge rows there.  rejected_by names the loading role.
 */
void
ec_quarantine(Relation rel, const EcValidation *v, Jsonb *payload, text *raw,
			  Jsonb *problems)
{
	Datum		values[10];
	char		nulls[10] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};
	int			ret;
	EcSavedUser saved;
	int64		load_id;
	int64		line;
	bool		in_load;
	bool		in_shard;
	int			variant;

	/* a statement of one event (track) or a 1.0 install has no load */
	ec_load_position(&load_id, &line);
	in_load = (load_id != 0);
	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	/* on a Citus shard the row also gets its person key (citus.c) */
	in_shard = ec_citus_in_shard();
	variant = (in_load ? 1 : 0) + (in_shard ? 2 : 0);
	if (quarantine_plans[variant] == NULL)
	{
		Oid			types[10] = {INT4OID, TEXTOID, TEXTOID, JSONBOID, TEXTOID, JSONBOID, TEXTOID,
			INT8OID, INT8OID, TEXTOID};
		SPIPlanPtr	plan;

		plan = SPI_prepare(psprintf("INSERT INTO event_catalog.rejected_events "
									"(tenant, event_key, customer_id, payload, raw_line, problems, rejected_by%s%s) "
									"VALUES ($1, $2, $3, $4, $5, $6, $7%s%s)",
									in_load ? ", load_id, line_number" : "",
									in_shard ? ", person_key" : "",
									in_load ? ", $8, $9" : "",
									in_shard ? ", $10" : ""),
						   10, types);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		quarantine_plans[variant] = plan;
	}

	if (v && v->has_tenant)
		values[0] = Int32GetDatum(v->tenant);
	else
		nulls[0] = 'n';
	if (v && v->event_key)
		values[1] = PointerGetDatum(cstring_to_text_with_len(v->event_key, v->event_key_len));
	else
		nulls[1] = 'n';
	if (v && v->customer)
		values[2] = PointerGetDatum(cstring_to_text_with_len(v->customer, v->customer_len));
	else
		nulls[2] = 'n';
	if (payload)
		values[3] = JsonbPGetDatum(payload);
	else
		nulls[3] = 'n';
	if (raw)
		values[4] = PointerGetDatum(raw);
	else
		nulls[4] = 'n';
	values[5] = JsonbPGetDatum(problems);
	values[6] = CStringGetTextDatum(GetUserNameFromId(GetUserId(), false));
	values[7] = Int64GetDatum(load_id);
	values[8] = Int64GetDatum(line);
	/* the key the row was routed by (citus.c, ec_person_key) */
	values[9] = PointerGetDatum(v && v->customer
								? cstring_to_text_with_len(v->customer, v->customer_len)
								: v && v->visitor
								? cstring_to_text_with_len(v->visitor, v->visitor_len)
								: cstring_to_text(""));

	ec_become_owner(rel, &saved);
	ret = SPI_execute_plan(quarantine_plans[variant], values, nulls, false, 0);
	ec_restore_user(&saved);
	if (ret != SPI_OK_INSERT)
		elog(ERROR, "could not quarantine an event: %s", SPI_result_code_string(ret));
	SPI_finish();
}

/* a one-problem list for events that could not even be read */
Jsonb *
ec_single_problem(const char *code, const char *message)
{
	EcValidation v = {0};
	EcProblem	p;

	p.code = code;
	p.is_error = true;
	p.in_params = false;
	p.path = "";
	p.message = (char *) message;
	v.problems = &p;
	v.nproblems = 1;
	return ec_problems_to_jsonb(&v);
}
