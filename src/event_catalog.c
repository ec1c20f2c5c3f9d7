/*-------------------------------------------------------------------------
 *
 * event_catalog.c
 *	  Module entry point: PG_MODULE_MAGIC and _PG_init, which hands over to
 *	  one initialisation function per subsystem.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"

#include "catalog_cache.h"
#include "citus.h"
#include "guc.h"
#include "ingest.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* load time: define the settings, watch the catalog tables for changes,
 * keep the statements of loads with the transactions */
void
_PG_init(void)
{
	ec_guc_init();
	ec_citus_init();			/* its COPY hook inside the statement's */
	ec_catalog_cache_init();
	ec_load_init();
}
