/*-------------------------------------------------------------------------
 *
 * tenant.c
 *	  The tenant barrier: which tenants a role may write.
 *
 *	  With tenant isolation enabled (enable_tenant_isolation()), every table
 *	  with a tenant column has row-level security whose policy admits the
 *	  rows of the tenants bound to the role's memberships in
 *	  event_catalog.tenant_roles (members of event_catalog_admin: all).  The
 *	  insert trigger of events asks the same question before it probes for a
 *	  duplicate, so that an event of another tenant fails with one error
 *	  whether or not an identical event is stored (no existence oracle);
 *	  the policy's WITH CHECK stays as the last guard.  The answer is read
 *	  once per statement, with the policy's own query, as the inserting role.
 *
 *	  event_catalog_internal.outer_user() is the role a SECURITY DEFINER
 *	  function of the extension (upsert_customers) acts for: the current
 *	  user outside every SECURITY DEFINER function, as SET ROLE or the login
 *	  set it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"

#include "tenant.h"

PG_FUNCTION_INFO_V1(ec_outer_user);

/* the scope of the current role, read with the policy's query */
static EcTenantScope *
read_scope(Relation rel, MemoryContext mcxt)
{
	EcTenantScope *scope = MemoryContextAllocZero(mcxt, sizeof(EcTenantScope));
	int			ret;

	scope->barrier = (check_enable_rls(RelationGetRelid(rel), InvalidOid, true) == RLS_ENABLED);
	if (!scope->barrier)
		return scope;

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	ret = SPI_execute("SELECT pg_catalog.pg_has_role('event_catalog_admin', 'MEMBER'), "
					  "  ARRAY(SELECT DISTINCT r.tenant FROM event_catalog.tenant_roles r)",
					  true, 1);
	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read the tenants of the role: %s", SPI_result_code_string(ret));
	{
		bool		isnull;
		Datum		all = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		Datum		arr = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
		ArrayType  *a = DatumGetArrayTypeP(arr);
		Datum	   *elems;
		bool	   *nulls;
		int			n;

		scope->all = DatumGetBool(all);
		deconstruct_array(a, INT4OID, sizeof(int32), true, TYPALIGN_INT, &elems, &nulls, &n);
		scope->tenants = MemoryContextAlloc(mcxt, sizeof(int32) * Max(n, 1));
		for (int i = 0; i < n; i++)
			if (!nulls[i])
				scope->tenants[scope->ntenants++] = DatumGetInt32(elems[i]);
	}
	SPI_finish();
	return scope;
}

/*
 * May the inserting role write an event of this tenant?  An error if not,
 * the same whatever is stored.  *scope caches the answer for the
 * statement (allocated in mcxt, which lives as long as the statement).
 */
void
ec_tenant_check_write(Relation rel, EcTenantScope **scope, MemoryContext mcxt, int32 tenant)
{
	EcTenantScope *s = *scope;

	if (s == NULL)
		*scope = s = read_scope(rel, mcxt);
	if (!s->barrier || s->all)
		return;
	for (int i = 0; i < s->ntenants; i++)
		if (s->tenants[i] == tenant)
			return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("role \"%s\" may not write events of tenant %d",
					GetUserNameFromId(GetUserId(), false), tenant),
			 errdetail("Tenant isolation is enabled and tenant %d is not bound to the role in event_catalog.tenant_roles.",
					   tenant),
			 errhint("An administrator binds tenants to roles in event_catalog.tenant_roles.")));
}

/*
 * outer_user(): the role outside every SECURITY DEFINER function, the one
 * a definer function of the extension acts for.
 */
Datum
ec_outer_user(PG_FUNCTION_ARGS)
{
	PG_RETURN_OID(GetOuterUserId());
}
