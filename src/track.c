/*-------------------------------------------------------------------------
 *
 * track.c
 *	  The SQL functions for applications that record events one at a time:
 *	  track(event), which inserts the event into event_catalog.events and
 *	  so goes through the same triggers as COPY and INSERT, and
 *	  event_content_hash(event), the digest duplicate detection uses.
 *
 *	  track() fails on an invalid event exactly as assert_valid_event does
 *	  when event_catalog.on_invalid is error; it learns what became of the
 *	  event (stored, duplicate, quarantined) from the row trigger.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/jsonb.h"
#include "utils/uuid.h"

#include "catalog_cache.h"
#include "citus.h"
#include "guc.h"
#include "ingest.h"
#include "validate.h"

PG_FUNCTION_INFO_V1(ec_track);
PG_FUNCTION_INFO_V1(ec_event_content_hash);

static SPIPlanPtr track_plan = NULL;

/*
 * track(event): record one event.  Returns its event_id; for a duplicate,
 * the id of the stored event; null when it was quarantined.  Invalid events
 * raise the error of assert_valid_event under on_invalid = error.
 */
Datum
ec_track(PG_FUNCTION_ARGS)
{
	Jsonb	   *event = PG_GETARG_JSONB_P(0);
	Datum		values[1];
	int			ret;
	bool		isnull = true;
	int64		event_id = 0;
	int64		dup_id;

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	if (track_plan == NULL)
	{
		Oid			types[1] = {JSONBOID};
		SPIPlanPtr	plan;

		plan = SPI_prepare("INSERT INTO event_catalog.events (payload) VALUES ($1) "
						   "RETURNING event_id", 1, types);
		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		SPI_keepplan(plan);
		track_plan = plan;
	}

	/* an invalid event fails exactly as assert_valid_event does */
	if (ec_on_invalid == EC_ON_INVALID_ERROR)
	{
		EcValidation v = {0};

		v.collect = true;
		ec_validate(event, &v);
		if (!ec_event_acceptable(&v))
			ec_report_invalid(&v);
	}

	values[0] = JsonbPGetDatum(event);
	ec_ingest_reset_outcome();
	/* no row limit: a limited run would stop before the statement triggers */
	ret = SPI_execute_plan(track_plan, values, NULL, false, 0);
	if (ret != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "could not record the event: %s", SPI_result_code_string(ret));

	if (SPI_processed == 1)
	{
		event_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
											   SPI_tuptable->tupdesc, 1, &isnull));
	}
	else
	{
		switch (ec_ingest_last_outcome(&dup_id))
		{
			case EC_OUTCOME_DUPLICATE:
				event_id = dup_id;
				isnull = false;
				break;
			case EC_OUTCOME_NONE:
				/* the row went to a Citus shard: is it there already? */
				if (ec_citus_distributed())
					isnull = !ec_citus_find_stored(event, &event_id);
				break;
			default:
				break;
		}
	}
	SPI_finish();

	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_INT64(event_id);
}

/*
 * event_content_hash(event): the digest duplicate detection uses, or null
 * when the event's mandatory properties are not valid.
 */
Datum
ec_event_content_hash(PG_FUNCTION_ARGS)
{
	Jsonb	   *event = PG_GETARG_JSONB_P(0);
	EcValidation v = {0};
	pg_uuid_t  *hash;

	ec_validate(event, &v);
	if (v.has_property_error || !v.has_tenant || !v.has_timestamp ||
		v.event_key == NULL || (v.customer == NULL && v.visitor == NULL))
		PG_RETURN_NULL();
	hash = palloc(sizeof(pg_uuid_t));
	ec_content_hash(&v, event, hash);
	PG_RETURN_UUID_P(hash);
}
