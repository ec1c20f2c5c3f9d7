/*-------------------------------------------------------------------------
 *
 * tenant.h
 *	  The tenant barrier on the insert path (tenant.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef EC_TENANT_H
#define EC_TENANT_H

#include "fmgr.h"
#include "utils/relcache.h"

/* the tenants the inserting role may write, found once per statement */
typedef struct EcTenantScope
{
	bool		barrier;		/* row-level security applies to the role */
	bool		all;			/* an admin: every tenant */
	int			ntenants;
	int32	   *tenants;
} EcTenantScope;

extern void ec_tenant_check_write(Relation rel, EcTenantScope **scope,
								  MemoryContext mcxt, int32 tenant);

#endif							/* EC_TENANT_H */
