/*-------------------------------------------------------------------------
 *
 * event_catalog.c
 *	  Module entry point: PG_MODULE_MAGIC and _PG_init, which hands over to
 *	  one initialisation function per subsystem.
 *
 *-------------------------------------------------------------------------
 */
#include "event_catalog.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	ec_guc_init();
	ec_catalog_cache_init();
}
