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
 *	  On a Citus cluster the policies call tenant_visible(tenant) instead
 *	  (Citus refuses sub-selects in the policies of distributed tables):
 *	  the same question, answered once per statement from the node's own
 *	  copy of tenant_roles, so that a shard's query on a worker reads no
 *	  distributed table.
 *
 *	  event_catalog_internal.outer_user() is the role a SECURITY DEFINER
 *	  function of the extension (upsert_customers) acts for: the current
 *	  user outside every SECURITY DEFINER function, as SET ROLE or the login
 *	  set it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/rls.h"

#include "citus.h"
#include "tenant.h"

PG_FUNCTION_INFO_V1(ec_outer_user);
PG_FUNCTION_INFO_V1(ec_tenant_visible);

/*
 * Fill scope from the result (ret) of the query of the role's admin flag
 * and tenants.
 */
static void
scope_from_result(EcTenantScope *scope, int ret, MemoryContext mcxt)
{
	bool		isnull;
	Datum		all;
	ArrayType  *a;
	Datum	   *elems;
	bool	   *nulls;
	int			n;

	if (ret != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read the tenants of the role: %s", SPI_result_code_string(ret));
	all = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	a = DatumGetArrayTypeP(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	scope->all = DatumGetBool(all);
	deconstruct_array(a, INT4OID, sizeof(int32), true, TYPALIGN_INT, &elems, &nulls, &n);
	scope->tenants = MemoryContextAlloc(mcxt, sizeof(int32) * Max(n, 1));
	for (int i = 0; i < n; i++)
		if (!nulls[i])
			scope->tenants[scope->ntenants++] = DatumGetInt32(elems[i]);
}

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
					  "  ARRAY(SELECT DISTINCT r.tenant FROM event_catalog.tenant_roles r "
					  "         WHERE pg_catalog.pg_has_role(r.role, 'MEMBER'))",
					  true, 1);
	scope_from_result(scope, ret, mcxt);
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
 * The tenants of the current role on a Citus node, from the node's copy
 * (placement) of the reference table tenant_roles, or the table itself
 * where the node has no copy.  Allocated in mcxt.
 */
static EcTenantScope *
read_local_scope(MemoryContext mcxt)
{
	EcTenantScope *scope = MemoryContextAllocZero(mcxt, sizeof(EcTenantScope));
	const char *table;
	int			ret;

	if ((ret = SPI_connect()) != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed: %s", SPI_result_code_string(ret));
	table = ec_citus_local_copy("tenant_roles");
	ret = SPI_execute(psprintf("SELECT pg_catalog.pg_has_role('event_catalog_admin', 'MEMBER'), "
							   "  ARRAY(SELECT DISTINCT r.tenant FROM %s r "
							   "         WHERE pg_catalog.pg_has_role(r.role, 'MEMBER'))", table),
					  true, 1);
	scope->barrier = true;
	scope_from_result(scope, ret, mcxt);
	SPI_finish();
	return scope;
}

/*
 * tenant_visible(tenant): may the current role see and write rows of this
 * tenant (a null tenant: quarantined lines, admins only)?  The policy of
 * tenant isolation on a Citus cluster; the role's tenants are read at the
 * first call of the statement (fn_extra lives as long as the query).
 */
Datum
ec_tenant_visible(PG_FUNCTION_ARGS)
{
	EcTenantScope *s = (EcTenantScope *) fcinfo->flinfo->fn_extra;
	int32		tenant;

	if (s == NULL)
		fcinfo->flinfo->fn_extra = s = read_local_scope(fcinfo->flinfo->fn_mcxt);
	if (s->all)
		PG_RETURN_BOOL(true);
	if (PG_ARGISNULL(0))
		PG_RETURN_BOOL(false);
	tenant = PG_GETARG_INT32(0);
	for (int i = 0; i < s->ntenants; i++)
		if (s->tenants[i] == tenant)
			PG_RETURN_BOOL(true);
	PG_RETURN_BOOL(false);
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
