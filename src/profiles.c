/*-------------------------------------------------------------------------
 *
 * profiles.c
 *	  The profile values an event carries: its context params that map to a
 *	  profile attribute in the catalog, as one {attribute: value} object.
 *	  The set-based merge in SQL (profile_merge_body) then needs one row
 *	  per event instead of one per attribute.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/tupdesc.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/date.h"
#include "utils/fmgrprotos.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/typcache.h"

#include "catalog_cache.h"
#include "profile_column.h"
#include "timestamp_parse.h"
#include "versions.h"

PG_FUNCTION_INFO_V1(ec_profile_values);

/*
 * {profile_attribute: value} for each context param of the event (def,
 * NULL when it is not in the catalog) that has a profile attribute and a
 * non-null value its column can hold; {} when there is none (or no context
 * object).
 */
Jsonb *
ec_profile_values_of(const EcEventDef *def, Jsonb *payload)
{
	JsonbValue	ctx;
	JsonbParseState *state = NULL;
	JsonbValue *result;
	JsonbIterator *it;
	JsonbValue	k;
	JsonbValue	v;
	int			next = 0;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	if (def != NULL && JB_ROOT_IS_OBJECT(payload) &&
		getKeyJsonValueFromContainer(&payload->root, "context", 7, &ctx) &&
		ctx.type == jbvBinary && JsonContainerIsObject(ctx.val.binary.data))
	{
		it = JsonbIteratorInit(ctx.val.binary.data);
		while (ec_jsonb_next_pair(&it, &k, &v))
		{
			const EcParamDef *param =
				ec_catalog_next_param(def, &next, k.val.string.val, k.val.string.len);

			if (param == NULL || param->profile_attribute == NULL || v.type == jbvNull)
				continue;
			/* validation refused it, unless a fail-safe event was kept */
			if (param->column != NULL && ec_column_misfit(param->column, &v) != NULL)
				continue;

			k.type = jbvString;
			k.val.string.val = (char *) param->profile_attribute;
			k.val.string.len = strlen(param->profile_attribute);
			pushJsonbValue(&state, WJB_KEY, &k);
			pushJsonbValue(&state, WJB_VALUE, &v);
		}
	}
	result = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(result);
}

/* profile_values(event_key, payload): ec_profile_values_of, in SQL */
Datum
ec_profile_values(PG_FUNCTION_ARGS)
{
	text	   *key = PG_GETARG_TEXT_PP(0);
	Jsonb	   *payload = PG_GETARG_JSONB_P(1);

	PG_RETURN_JSONB_P(ec_profile_values_of(ec_catalog_lookup(VARDATA_ANY(key), VARSIZE_ANY_EXHDR(key)),
										   payload));
}

/*
 * The per-customer merge of profile writes, last writer wins per attribute:
 * the aggregates newest_values(vals, version) and newest_versions(vals,
 * version) share one transition state (same step function and arguments),
 * which keeps, for each attribute, the value and version of the newest
 * write carrying it.  Versions compare as bytes (ec_version_cmp); two writes
 * with the same version are the same content, so which one is kept does
 * not matter.  No ORDER BY is needed, and nothing is rebuilt per row.
 * The statement merge of stashed writes (effects.c) folds each customer's
 * writes with the same state, ec_merge_add.
 */

/* a copy of a value of vals (a scalar, or a container as jbvBinary) */
static void
copy_value(JsonbValue *dst, const JsonbValue *src)
{
	*dst = *src;
	switch (src->type)
	{
		case jbvString:
			dst->val.string.val = pnstrdup(src->val.string.val, src->val.string.len);
			break;
		case jbvNumeric:
			dst->val.numeric = DatumGetNumeric(datumCopy(NumericGetDatum(src->val.numeric),
														 false, -1));
			break;
		case jbvBinary:
			{
				void	   *data = palloc(src->val.binary.len);

				memcpy(data, src->val.binary.data, src->val.binary.len);
				dst->val.binary.data = data;
			}
			break;
		default:
			break;
	}
}

/* free what copy_value allocated */
static void
free_value(JsonbValue *v)
{
	switch (v->type)
	{
		case jbvString:
			pfree(v->val.string.val);
			break;
		case jbvNumeric:
			pfree(v->val.numeric);
			break;
		case jbvBinary:
			pfree(v->val.binary.data);
			break;
		default:
			break;
	}
}

/*
 * Merge the writes of vals (an object) made at version ver into st, the
 * state's allocations in cxt: each attribute keeps the value of its newest
 * write.
 */
void
ec_merge_add(MergeState *st, Jsonb *vals, const char *ver, int verlen, MemoryContext cxt)
{
	JsonbIterator *it;
	JsonbValue	k;
	JsonbValue	v;

	if (!JB_ROOT_IS_OBJECT(vals))
		return;
	it = JsonbIteratorInit(&vals->root);
	while (ec_jsonb_next_pair(&it, &k, &v))
	{
		MergeItem  *item = NULL;
		MemoryContext oldcxt;

		for (int i = 0; i < st->n; i++)
		{
			if (st->items[i].keylen == k.val.string.len &&
				memcmp(st->items[i].key, k.val.string.val, k.val.string.len) == 0)
			{
				item = &st->items[i];
				break;
			}
		}
		if (item != NULL &&
			ec_version_cmp(ver, verlen, item->version, item->versionlen) <= 0)
			continue;			/* the attribute has a newer (or this) write */

		oldcxt = MemoryContextSwitchTo(cxt);
		if (item == NULL)
		{
			if (st->n >= st->cap)
			{
				st->cap = Max(16, st->cap * 2);
				st->items = st->items == NULL
					? palloc(sizeof(MergeItem) * st->cap)
					: repalloc(st->items, sizeof(MergeItem) * st->cap);
			}
			item = &st->items[st->n++];
			item->key = pnstrdup(k.val.string.val, k.val.string.len);
			item->keylen = k.val.string.len;
		}
		else
		{
			/* replaced: the state stays as big as its attributes */
			pfree(item->version);
			free_value(&item->value);
		}
		item->version = pnstrdup(ver, verlen);
		item->versionlen = verlen;
		copy_value(&item->value, &v);
		MemoryContextSwitchTo(oldcxt);
	}
}

PG_FUNCTION_INFO_V1(ec_merge_writes_step);

/* the step function: merge the writes of vals made at version into the state */
Datum
ec_merge_writes_step(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	MergeState *st;
	text	   *version;

	if (!AggCheckCallContext(fcinfo, &aggcxt))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("event_catalog.merge_writes_step() must be called as an aggregate step")));

	if (PG_ARGISNULL(0))
		st = (MergeState *) MemoryContextAllocZero(aggcxt, sizeof(MergeState));
	else
		st = (MergeState *) PG_GETARG_POINTER(0);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(st);

	version = PG_GETARG_TEXT_PP(2);
	ec_merge_add(st, PG_GETARG_JSONB_P(1), VARDATA_ANY(version), VARSIZE_ANY_EXHDR(version), aggcxt);
	PG_RETURN_POINTER(st);
}

/* the merged state (NULL: none) as an object: each attribute's value, or its version */
Jsonb *
ec_merge_object(const MergeState *st, bool versions)
{
	JsonbParseState *state = NULL;
	JsonbValue *result;

	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	for (int i = 0; st != NULL && i < st->n; i++)
	{
		JsonbValue	k;

		k.type = jbvString;
		k.val.string.val = st->items[i].key;
		k.val.string.len = st->items[i].keylen;
		pushJsonbValue(&state, WJB_KEY, &k);
		if (versions)
		{
			JsonbValue	ver;

			ver.type = jbvString;
			ver.val.string.val = st->items[i].version;
			ver.val.string.len = st->items[i].versionlen;
			pushJsonbValue(&state, WJB_VALUE, &ver);
		}
		else
			pushJsonbValue(&state, WJB_VALUE, &st->items[i].value);
	}
	result = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(result);
}

/*
 * What the merge of one write gives as versions: {attribute: ver} for each
 * attribute of vals (an object; else {})
 */
Jsonb *
ec_versions_object(Jsonb *vals, const char *ver, int verlen)
{
	JsonbParseState *state = NULL;
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) ver;
	v.val.string.len = verlen;
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	if (JB_ROOT_IS_OBJECT(vals))
	{
		JsonbIterator *it = JsonbIteratorInit(&vals->root);
		JsonbValue	k;
		JsonbValue	ignored;

		while (ec_jsonb_next_pair(&it, &k, &ignored))
		{
			pushJsonbValue(&state, WJB_KEY, &k);
			pushJsonbValue(&state, WJB_VALUE, &v);
		}
	}
	return JsonbValueToJsonb(pushJsonbValue(&state, WJB_END_OBJECT, NULL));
}

PG_FUNCTION_INFO_V1(ec_merge_writes_values);

/* final function of newest_values: each attribute's newest value */
Datum
ec_merge_writes_values(PG_FUNCTION_ARGS)
{
	PG_RETURN_JSONB_P(ec_merge_object(PG_ARGISNULL(0) ? NULL : (MergeState *) PG_GETARG_POINTER(0),
									  false));
}

PG_FUNCTION_INFO_V1(ec_merge_writes_versions);

/* final function of newest_versions: each attribute's newest version */
Datum
ec_merge_writes_versions(PG_FUNCTION_ARGS)
{
	PG_RETURN_JSONB_P(ec_merge_object(PG_ARGISNULL(0) ? NULL : (MergeState *) PG_GETARG_POINTER(0),
									  true));
}

/* is key one of the names (a text array's elements)? */
static bool
key_in(const JsonbValue *key, Datum *names, bool *nulls, int nnames)
{
	for (int i = 0; i < nnames; i++)
	{
		text	   *name = DatumGetTextPP(names[i]);

		if (!nulls[i] &&
			VARSIZE_ANY_EXHDR(name) == key->val.string.len &&
			memcmp(VARDATA_ANY(name), key->val.string.val, key->val.string.len) == 0)
			return true;
	}
	return false;
}

/*
 * The pairs of the object vals whose key is (named true) or is not (named
 * false) in the text array names, without those whose value is skip_type
 * (jbvNull for JSON null, jbvString for "").  *nested: a kept value is an
 * object or array.
 */
static Jsonb *
filter_attributes(Jsonb *vals, ArrayType *names_array, bool named,
				  enum jbvType skip_type, bool *nested)
{
	Datum	   *names;
	bool	   *nulls;
	int			nnames;
	JsonbParseState *state = NULL;
	JsonbValue *result;

	deconstruct_array(names_array, TEXTOID, -1, false, TYPALIGN_INT, &names, &nulls, &nnames);
	*nested = false;
	pushJsonbValue(&state, WJB_BEGIN_OBJECT, NULL);
	if (JB_ROOT_IS_OBJECT(vals))
	{
		JsonbIterator *it = JsonbIteratorInit(&vals->root);
		JsonbValue	k;
		JsonbValue	v;

		while (ec_jsonb_next_pair(&it, &k, &v))
		{
			if (v.type == skip_type &&
				(skip_type != jbvString || v.val.string.len == 0))
				continue;
			if (key_in(&k, names, nulls, nnames) != named)
				continue;
			*nested |= (v.type == jbvBinary);
			pushJsonbValue(&state, WJB_KEY, &k);
			pushJsonbValue(&state, WJB_VALUE, &v);
		}
	}
	result = pushJsonbValue(&state, WJB_END_OBJECT, NULL);
	return JsonbValueToJsonb(result);
}

PG_FUNCTION_INFO_V1(ec_custom_attributes);

/*
 * custom_attributes(vals, columns): the attributes of vals that have no
 * column of their own, without those cleared by "".  The function of 1.0's
 * merge, which 1.1 drops (customer_row makes the whole row); kept for
 * 1.0's install script, which an update to 1.1 starts from.
 */
Datum
ec_custom_attributes(PG_FUNCTION_ARGS)
{
	bool		nested;

	PG_RETURN_JSONB_P(filter_attributes(PG_GETARG_JSONB_P(0), PG_GETARG_ARRAYTYPE_P(1),
										false, jbvString, &nested));
}

PG_FUNCTION_INFO_V1(ec_picked_attributes);

/*
 * picked_attributes(vals, names): the attributes of vals named in names,
 * without nulls, as jsonb_strip_nulls(jsonb_build_object(name, vals -> name,
 * ...)) gives them (the consent history's values of a write), in one pass.
 */
Jsonb *
ec_picked_attributes_of(Jsonb *vals, ArrayType *names)
{
	bool		nested;
	Jsonb	   *picked = filter_attributes(vals, names, true, jbvNull, &nested);

	/* nulls inside an object or array go too, as jsonb_strip_nulls drops them */
	if (nested)
		return DatumGetJsonbP(DirectFunctionCall1(jsonb_strip_nulls, JsonbPGetDatum(picked)));
	return picked;
}

Datum
ec_picked_attributes(PG_FUNCTION_ARGS)
{
	PG_RETURN_JSONB_P(ec_picked_attributes_of(PG_GETARG_JSONB_P(0), PG_GETARG_ARRAYTYPE_P(1)));
}

/* ---------------------------------------------------------------------
 * The customers row of a customer's merged writes, for the generated
 * merge: one call per customer, where the SQL had a conversion call per
 * column, so that the merge's plan has one expression for the row
 * instead of one per column (their executor start-up was a third of a
 * track() with a profile write) and a customer's values are read in one
 * walk of its object instead of a lookup per column.
 * ---------------------------------------------------------------------
 */

/* how a profile column's value is read from its attribute */
typedef enum ColumnKind
{
	KIND_TEXT,					/* NULLIF(v #>> '{}', '') */
	KIND_BOOL,					/* a JSON boolean, or the string Yes or No */
	KIND_DATE,					/* to_date_or_null(v #>> '{}') */
	KIND_TIMESTAMPTZ,			/* to_timestamp_or_null(v #>> '{}') */
	KIND_INTEGER,				/* CAST(CAST(NULLIF(v #>> '{}', '') AS numeric) AS intN) */
	KIND_CAST					/* CAST(NULLIF(v #>> '{}', '') AS type) */
} ColumnKind;

typedef struct RowColumn
{
	char	   *name;
	int			namelen;
	int			attno;			/* 0-based, in the row */
	Oid			typid;
	int32		typmod;
	ColumnKind	kind;
	FmgrInfo	input;			/* KIND_CAST: the type's input function */
	Oid			ioparam;
} RowColumn;

/*
 * The columns of customers that are not profile attributes
 * (bookkeeping_columns()), each with its part of the row; the profile
 * columns come from the caller (profile_columns()).
 */
typedef enum BookkeepingColumn
{
	BK_TENANT,
	BK_CUSTOMER_ID,
	BK_EXCLUSION_PERIODS,
	BK_ATTRIBUTES,
	BK_ATTRIBUTE_VERSIONS,
	BK_CREATED_AT,
	BK_UPDATED_AT
} BookkeepingColumn;

static const char *const bookkeeping_names[] = {"tenant", "customer_id", "exclusion_periods",
"attributes", "attribute_versions", "created_at", "updated_at"};

/* the columns of the customers row type (kept_layouts below) */
typedef struct RowLayout
{
	TupleDesc	desc;
	uint64		desc_id;		/* the type cache's identifier of desc */
	int			bookkeeping[7]; /* 0-based attribute numbers, by BookkeepingColumn */
	int			ncolumns;		/* the profile columns, in jsonb key order */
	RowColumn  *columns;
	ArrayType  *names;			/* the column names it was made for */
	struct RowLayout *next;		/* the next kept layout */
} RowLayout;

/*
 * The layouts made in this backend, kept for its life: a track() makes a
 * statement per event, and finding the layout again cost more than making
 * its row.  A new one is made when the row type or the names change
 * (build_profile_functions after a column change); the old ones stay,
 * since an expression may still point at one, and are few.
 */
static RowLayout *kept_layouts = NULL;
static int	nkept_layouts = 0;

#define EC_MAX_KEPT_LAYOUTS 16

/* jsonb's order of object keys: shorter first, then bytewise */
static int
key_order(const char *a, int alen, const char *b, int blen)
{
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return memcmp(a, b, alen);
}

/* the profile column of layout named name (len bytes), or NULL */
static RowColumn *
find_row_column(RowLayout *layout, const char *name, int len)
{
	int			lo = 0;
	int			hi = layout->ncolumns - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;
		int			cmp = key_order(layout->columns[mid].name, layout->columns[mid].namelen,
									name, len);

		if (cmp == 0)
			return &layout->columns[mid];
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
}

static void
missing_column(const char *name)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_COLUMN),
			 errmsg("column \"%s\" of event_catalog.customers does not exist", name),
			 errhint("Run event_catalog.build_profile_functions() after changing the columns of event_catalog.customers.")));
}

/*
 * The layout of desc (customers) for the profile columns named in names
 * (the generated merge gives them in jsonb key order; sorted here if not)
 */
static RowLayout *
row_layout(TupleDesc desc, ArrayType *names, MemoryContext cxt)
{
	MemoryContext oldcxt = MemoryContextSwitchTo(cxt);
	RowLayout  *layout = palloc0(sizeof(RowLayout));
	Datum	   *elems;
	bool	   *elemnulls;
	int			nelems;

	StaticAssertStmt(lengthof(bookkeeping_names) == lengthof(layout->bookkeeping),
					 "a name per bookkeeping column");
	layout->desc = CreateTupleDescCopy(desc);
	for (int i = 0; i < lengthof(layout->bookkeeping); i++)
		layout->bookkeeping[i] = -1;

	/* the profile columns, in jsonb key order (insertion: mostly in order) */
	deconstruct_array(names, TEXTOID, -1, false, TYPALIGN_INT, &elems, &elemnulls, &nelems);
	layout->columns = palloc0(sizeof(RowColumn) * Max(nelems, 1));
	for (int i = 0; i < nelems; i++)
	{
		RowColumn	col = {0};
		int			j;

		if (elemnulls[i])
			continue;
		col.name = TextDatumGetCString(elems[i]);
		col.namelen = strlen(col.name);
		col.attno = -1;
		for (j = layout->ncolumns;
			 j > 0 && key_order(layout->columns[j - 1].name, layout->columns[j - 1].namelen,
								col.name, col.namelen) > 0;
			 j--)
			layout->columns[j] = layout->columns[j - 1];
		layout->columns[j] = col;
		layout->ncolumns++;
	}

	/* one pass over the row type's columns */
	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		const char *name = NameStr(att->attname);
		RowColumn  *col;

		if (att->attisdropped)
			continue;
		if ((col = find_row_column(layout, name, strlen(name))) != NULL)
		{
			col->attno = i;
			col->typid = att->atttypid;
			col->typmod = att->atttypmod;
			continue;
		}
		for (int b = 0; b < lengthof(bookkeeping_names); b++)
			if (strcmp(name, bookkeeping_names[b]) == 0)
				layout->bookkeeping[b] = i;
	}
	for (int i = 0; i < lengthof(bookkeeping_names); i++)
		if (layout->bookkeeping[i] < 0)
			missing_column(bookkeeping_names[i]);

	for (int i = 0; i < layout->ncolumns; i++)
	{
		RowColumn  *col = &layout->columns[i];

		if (col->attno < 0)
			missing_column(col->name);
		switch (col->typid)
		{
			case TEXTOID:
				col->kind = KIND_TEXT;
				break;
			case BOOLOID:
				col->kind = KIND_BOOL;
				break;
			case DATEOID:
				col->kind = KIND_DATE;
				break;
			case TIMESTAMPTZOID:
				col->kind = KIND_TIMESTAMPTZ;
				break;
			case INT2OID:
			case INT4OID:
			case INT8OID:
				col->kind = KIND_INTEGER;
				break;
			case VARCHAROID:
			case NUMERICOID:
			case FLOAT4OID:
			case FLOAT8OID:
				{
					Oid			infunc;

					col->kind = KIND_CAST;
					getTypeInputInfo(col->typid, &infunc, &col->ioparam);
					fmgr_info_cxt(infunc, &col->input, cxt);
					break;
				}
			default:
				/* build_profile_functions refuses such a column */
				ereport(ERROR,
						(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
						 errmsg("profile column \"%s\" of event_catalog.customers has type %s, which the merge cannot fill",
								col->name, format_type_be(col->typid)),
						 errhint("Run event_catalog.build_profile_functions() after changing the columns of event_catalog.customers.")));
		}
	}
	MemoryContextSwitchTo(oldcxt);
	return layout;
}

/*
 * The value of column col for the attribute value v, as the SQL that the
 * generated merge had per column gives it; false for null.
 */
static bool
column_value(const RowColumn *col, const JsonbValue *v, Datum *result)
{
	const char *s;
	int			len;

	if (col->kind == KIND_BOOL)
	{
		bool		b;

		if (!ec_boolean_value(v, &b))
			return false;
		*result = BoolGetDatum(b);
		return true;
	}

	/* the others read the value's text (v #>> '{}'), "" as null */
	if (!ec_jsonb_value_text(v, &s, &len) || len == 0)
		return false;
	switch (col->kind)
	{
		case KIND_TEXT:
			*result = PointerGetDatum(cstring_to_text_with_len(s, len));
			return true;
		case KIND_DATE:
			{
				DateADT		d;

				if (!ec_parse_date(s, len, &d))
					return false;
				*result = DateADTGetDatum(d);
				return true;
			}
		case KIND_TIMESTAMPTZ:
			{
				TimestampTz ts;

				if (!ec_parse_timestamp(s, len, EC_TS_PARAM, &ts))
					return false;
				*result = TimestampTzGetDatum(ts);
				return true;
			}
		case KIND_INTEGER:
			{
				/* through numeric, so that 2.0 is 2 */
				Datum		num = DirectFunctionCall3(numeric_in,
													  CStringGetDatum(pnstrdup(s, len)),
													  ObjectIdGetDatum(InvalidOid),
													  Int32GetDatum(-1));

				*result = DirectFunctionCall1(col->typid == INT2OID ? numeric_int2 :
											  col->typid == INT4OID ? numeric_int4 : numeric_int8,
											  num);
				return true;
			}
		case KIND_CAST:
			/* an explicit cast from text: input, then the type's modifier */
			if (col->typid == VARCHAROID)
			{
				*result = PointerGetDatum(cstring_to_text_with_len(s, len));
				if (col->typmod >= 0)
					*result = DirectFunctionCall3(varchar, *result, Int32GetDatum(col->typmod),
												  BoolGetDatum(true));
				return true;
			}
			*result = InputFunctionCall((FmgrInfo *) &col->input, pnstrdup(s, len),
										col->ioparam, -1);
			if (col->typid == NUMERICOID && col->typmod >= 0)
				*result = DirectFunctionCall2(numeric, *result, Int32GetDatum(col->typmod));
			return true;
		default:
			elog(ERROR, "unexpected profile column kind %d", (int) col->kind);
	}
	return false;				/* keep compiler quiet */
}

/* the layout of customer_row's result for the column names, kept or made */
static RowLayout *
customer_row_layout(FunctionCallInfo fcinfo, ArrayType *names)
{
	TupleDesc	desc;
	uint64		desc_id;
	RowLayout  *layout;
	MemoryContext cxt;

	if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	desc_id = lookup_type_cache(desc->tdtypeid, TYPECACHE_TUPDESC)->tupDesc_identifier;
	for (layout = kept_layouts; layout != NULL; layout = layout->next)
		if (layout->desc->tdtypeid == desc->tdtypeid && layout->desc_id == desc_id &&
			VARSIZE(layout->names) == VARSIZE(names) &&
			memcmp(layout->names, names, VARSIZE(names)) == 0)
			return layout;

	/* kept for the backend's life, or for the statement once there are many */
	cxt = nkept_layouts < EC_MAX_KEPT_LAYOUTS ? TopMemoryContext : fcinfo->flinfo->fn_mcxt;
	layout = row_layout(desc, names, cxt);
	layout->desc_id = desc_id;
	layout->names = (ArrayType *) MemoryContextAlloc(cxt, VARSIZE(names));
	memcpy(layout->names, names, VARSIZE(names));
	if (cxt == TopMemoryContext)
	{
		layout->next = kept_layouts;
		kept_layouts = layout;
		nkept_layouts++;
	}
	return layout;
}

PG_FUNCTION_INFO_V1(ec_customer_row);

/* the bookkeeping columns that customer_row's arguments give as they are */
static const struct
{
	BookkeepingColumn column;
	int			arg;
}			columns_of_args[] = {
	{BK_TENANT, 0}, {BK_CUSTOMER_ID, 1}, {BK_ATTRIBUTE_VERSIONS, 3},
	{BK_CREATED_AT, 4}, {BK_UPDATED_AT, 5}
};

/*
 * customer_row(tenant, customer_id, vals, versions, first_at, last_at,
 * columns): the customers row that a customer's merged writes make (vals:
 * each attribute's newest value, versions: their versions, first_at and
 * last_at: the first and last instant), as the merge inserts it.  Each
 * profile column named in columns holds the value of its attribute, read
 * as the column's type reads it (column_value); attributes the other
 * attributes, without those cleared by "";
 * attribute_versions versions; exclusion_periods the customer's periods
 * (exclusion_periods); created_at first_at, updated_at last_at.
 */
Datum
ec_customer_row(PG_FUNCTION_ARGS)
{
	RowLayout  *layout = (RowLayout *) fcinfo->flinfo->fn_extra;
	Jsonb	   *vals = PG_GETARG_JSONB_P(2);
	TupleDesc	desc;
	Datum	   *values;
	bool	   *nulls;
	JsonbParseState *custom = NULL;
	int			next = 0;

	/*
	 * The layout is found at the first call, and again when the row type
	 * changed since (a call from a PL/pgSQL simple expression keeps
	 * fn_extra to the end of the transaction).
	 */
	if (layout == NULL ||
		lookup_type_cache(layout->desc->tdtypeid, TYPECACHE_TUPDESC)->tupDesc_identifier !=
		layout->desc_id)
	{
		layout = customer_row_layout(fcinfo, PG_GETARG_ARRAYTYPE_P(6));
		fcinfo->flinfo->fn_extra = layout;
	}
	desc = layout->desc;

	values = palloc0(sizeof(Datum) * desc->natts);
	nulls = palloc(sizeof(bool) * desc->natts);
	memset(nulls, true, sizeof(bool) * desc->natts);
	for (int i = 0; i < lengthof(columns_of_args); i++)
	{
		int			attno = layout->bookkeeping[columns_of_args[i].column];

		values[attno] = PG_GETARG_DATUM(columns_of_args[i].arg);
		nulls[attno] = false;
	}

	/* one walk of vals beside the columns, both in jsonb key order */
	pushJsonbValue(&custom, WJB_BEGIN_OBJECT, NULL);
	if (JB_ROOT_IS_OBJECT(vals))
	{
		JsonbIterator *it = JsonbIteratorInit(&vals->root);
		JsonbValue	k;
		JsonbValue	v;

		while (ec_jsonb_next_pair(&it, &k, &v))
		{
			int			cmp = 1;

			while (next < layout->ncolumns &&
				   (cmp = key_order(layout->columns[next].name, layout->columns[next].namelen,
									k.val.string.val, k.val.string.len)) < 0)
				next++;
			if (next < layout->ncolumns && cmp == 0)
			{
				const RowColumn *col = &layout->columns[next];

				nulls[col->attno] = !column_value(col, &v, &values[col->attno]);
				continue;
			}
			/* an attribute without a column of its own, unless cleared */
			if (v.type == jbvString && v.val.string.len == 0)
				continue;
			pushJsonbValue(&custom, WJB_KEY, &k);
			pushJsonbValue(&custom, WJB_VALUE, &v);
		}
	}
	values[layout->bookkeeping[BK_ATTRIBUTES]] =
		JsonbPGetDatum(JsonbValueToJsonb(pushJsonbValue(&custom, WJB_END_OBJECT, NULL)));
	nulls[layout->bookkeeping[BK_ATTRIBUTES]] = false;
	nulls[layout->bookkeeping[BK_EXCLUSION_PERIODS]] =
		!ec_customer_exclusion_periods(PG_GETARG_INT32(0), PG_GETARG_TEXT_PP(1),
									   &values[layout->bookkeeping[BK_EXCLUSION_PERIODS]]);

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(desc, values, nulls)));
}
