/*-------------------------------------------------------------------------
 *
 * citus_settings.c
 *	  The coordinator session's event_catalog.* settings on the workers.
 *
 *	  On a Citus cluster the insert trigger that validates, quarantines or
 *	  refuses an event runs on a worker, in a backend that Citus opened for
 *	  the coordinator's session and keeps across its statements and
 *	  transactions.  Citus sends it no setting of the session, except SET
 *	  LOCAL in a transaction block under citus.propagate_set_commands =
 *	  'local': the SET LOCAL commands of the transaction, which it sends to
 *	  the workers already in the transaction and adds to the BEGIN of every
 *	  remote transaction it starts later (activeSetStmts).
 *
 *	  So before each statement that writes or reads a Citus table of
 *	  event_catalog (INSERT, INSERT ... SELECT, the COPY run as one,
 *	  track(), the batch and API functions' statements, erasure's deletes;
 *	  a query whose functions run on the shards, validate_event(payload)
 *	  or current_tenant() say), the coordinator
 *	  makes the current values of all its event_catalog.* settings the SET
 *	  LOCAL state of the distributed transaction:
 *	   - unless every value is its default, a coordinated transaction, so
 *	     that every worker connection the statement uses starts a remote
 *	     transaction with the state (a single-shard statement outside a
 *	     transaction block has none of its own: this costs it a BEGIN and
 *	     a COMMIT, about 0.5 ms here; at the defaults it runs as before,
 *	     and the worker, whose connection keeps no state between remote
 *	     transactions, uses its own defaults);
 *	   - when the values differ from those last sent in this transaction
 *	     (the first statement, or a SET, SET LOCAL, set_config or RESET
 *	     since), sent to the workers already in the transaction and added
 *	     to the state, by Citus's own SET LOCAL propagation;
 *	   - else, when a subtransaction's end gave the state back without
 *	     them, added to it again.
 *	  Every value is sent, defaults included, so in a remote transaction a
 *	  worker holds the coordinator's values whatever its own, and a RESET
 *	  reaches it.  Defaults of roles and databases (ALTER ROLE / DATABASE
 *	  ... SET) are the same on every node, as Citus propagates them; a
 *	  default in one node's postgresql.conf is that node's own.  A
 *	  rolled-back subtransaction rolls back the workers' SET LOCAL too: the
 *	  values are sent again at the next statement.
 *
 *	  Citus's functions and its SET LOCAL state are found by name in its
 *	  library when it is loaded; without them (no Citus, another release)
 *	  nothing is sent and a COPY through the coordinator warns about
 *	  settings that differ from their defaults (ec_citus_settings_warn).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "executor/executor.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "nodes/parsenodes.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "citus.h"
#include "guc.h"

/* Citus 12.1's entry points (src/include/distributed/) */
typedef void (*UseCoordinatedTransaction_fn) (void);
typedef bool (*IsCitusTable_fn) (Oid relid);
typedef void (*PostprocessVariableSetStmt_fn) (VariableSetStmt *stmt, const char *command);
typedef bool (*IsCitusInternalBackend_fn) (void);

static struct
{
	bool		looked_up;
	bool		found;
	UseCoordinatedTransaction_fn use_coordinated_transaction;
	IsCitusTable_fn is_citus_table;
	PostprocessVariableSetStmt_fn propagate_set_local;
	IsCitusInternalBackend_fn is_internal_backend;
	StringInfo *set_local_state;	/* Citus's activeSetStmts */
} citus;

static ExecutorStart_hook_type prev_executor_start = NULL;

/* the SET LOCAL commands sent to the workers in this transaction, or NULL */
static char *sent = NULL;		/* TopTransactionContext */

/*
 * Citus's functions, when its library is loaded in this backend (its
 * settings are defined then); looked up once.  False in a backend that
 * Citus opened to run another node's statements (on a worker: the shard
 * statements, with the settings they were sent).
 */
static bool
citus_found(void)
{
	if (!citus.looked_up)
	{
		if (GetConfigOption("citus.propagate_set_commands", true, false) == NULL)
			return false;		/* not loaded (yet): look again later */
		citus.looked_up = true;
		citus.use_coordinated_transaction = (UseCoordinatedTransaction_fn)
			load_external_function("citus", "UseCoordinatedTransaction", false, NULL);
		citus.is_citus_table = (IsCitusTable_fn)
			load_external_function("citus", "IsCitusTable", false, NULL);
		citus.propagate_set_local = (PostprocessVariableSetStmt_fn)
			load_external_function("citus", "PostprocessVariableSetStmt", false, NULL);
		citus.is_internal_backend = (IsCitusInternalBackend_fn)
			load_external_function("citus", "IsCitusInternalBackend", false, NULL);
		citus.set_local_state = (StringInfo *)
			load_external_function("citus", "activeSetStmts", false, NULL);
		citus.found = citus.use_coordinated_transaction && citus.is_citus_table &&
			citus.propagate_set_local && citus.is_internal_backend && citus.set_local_state;
	}
	/* a backend Citus opened for another node's statement sends nothing */
	return citus.found && !citus.is_internal_backend();
}

/*
 * The SET LOCAL commands of the current values of every setting; whether
 * each is its default (that of the role, database or server, which the
 * workers have when their configuration agrees) in *defaults.
 */
static char *
settings_commands(bool *defaults)
{
	StringInfoData buf;

	*defaults = true;
	initStringInfo(&buf);
	for (int i = 0; i < ec_num_settings; i++)
	{
		const char *value = GetConfigOption(ec_setting_names[i], true, false);
		const char *reset = GetConfigOptionResetString(ec_setting_names[i]);

		if (value == NULL)
			continue;
		appendStringInfo(&buf, "SET LOCAL %s TO %s;", ec_setting_names[i],
						 quote_literal_cstr(value));
		if (reset == NULL || strcmp(value, reset) != 0)
			*defaults = false;
	}
	return buf.data;
}

static bool
ends_with(StringInfo s, const char *suffix)
{
	int			n = strlen(suffix);

	return s != NULL && s->len >= n && strcmp(s->data + s->len - n, suffix) == 0;
}

/*
 * Citus sends command (SET LOCAL commands) to the workers in this
 * transaction and adds it to the state of those it starts later, as for
 * a SET LOCAL under citus.propagate_set_commands = 'local' (which its
 * function expects, and gets for the call).
 */
static void
propagate(char *command)
{
	VariableSetStmt stmt = {.type = T_VariableSetStmt, .kind = VAR_SET_VALUE,
	.name = unconstify(char *, ec_setting_names[0]),.is_local = true};
	int			nest = NewGUCNestLevel();

	(void) set_config_option("citus.propagate_set_commands", "local",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	citus.propagate_set_local(&stmt, command);
	AtEOXact_GUC(true, nest);
}

/*
 * Before a statement on a Citus table of event_catalog: the workers it
 * reaches run with this session's settings (above).
 */
void
ec_citus_send_settings(void)
{
	char	   *command;
	MemoryContext oldcxt;

	bool		defaults;

	if (!citus_found())
		return;
	command = settings_commands(&defaults);
	if (!defaults)
		citus.use_coordinated_transaction();
	if (sent == NULL || strcmp(sent, command) != 0)
	{
		propagate(command);
		sent = MemoryContextStrdup(TopTransactionContext, command);
	}
	else if (!ends_with(*citus.set_local_state, command))
	{
		/* a subtransaction's end gave Citus back its parent's state */
		oldcxt = MemoryContextSwitchTo(TopTransactionContext);
		if (*citus.set_local_state == NULL)
			*citus.set_local_state = makeStringInfo();
		appendStringInfoString(*citus.set_local_state, command);
		MemoryContextSwitchTo(oldcxt);
	}
	pfree(command);
}

/* whether relid is a table of event_catalog that Citus distributes */
bool
ec_citus_settings_matter(Oid relid)
{
	return citus_found() && get_rel_namespace(relid) == get_namespace_oid("event_catalog", true) &&
		citus.is_citus_table(relid);
}

/* whether the settings reach the workers (else a COPY warns) */
bool
ec_citus_settings_sent(void)
{
	return citus_found();
}

static void
settings_executor_start(QueryDesc *queryDesc, int eflags)
{
	PlannedStmt *plan = queryDesc->plannedstmt;

	if (!(eflags & EXEC_FLAG_EXPLAIN_ONLY) && citus_found())
	{
		ListCell   *lc;

		foreach(lc, plan->rtable)
		{
			RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);

			if (rte->rtekind == RTE_RELATION && ec_citus_settings_matter(rte->relid))
			{
				ec_citus_send_settings();
				break;
			}
		}
	}
	if (prev_executor_start)
		prev_executor_start(queryDesc, eflags);
	else
		standard_ExecutorStart(queryDesc, eflags);
}

/* the workers' SET LOCAL state ends with the transaction; a rolled-back
 * subtransaction rolls back what was sent in it */
static void
settings_xact_callback(XactEvent event, void *arg)
{
	sent = NULL;
}

static void
settings_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						  SubTransactionId parentSubid, void *arg)
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		sent = NULL;
}

void
ec_citus_settings_init(void)
{
	prev_executor_start = ExecutorStart_hook;
	ExecutorStart_hook = settings_executor_start;
	RegisterXactCallback(settings_xact_callback, NULL);
	RegisterSubXactCallback(settings_subxact_callback, NULL);
}
