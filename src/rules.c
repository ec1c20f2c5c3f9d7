/*-------------------------------------------------------------------------
 *
 * rules.c
 *	  The catalog's vocabulary and limits, and the snake_case rule for keys.
 *
 *	  Each list of names exists here once: the catalog cache turns the
 *	  names stored in event_params into enums with these tables, the
 *	  event_catalog.channels setting reads channel names with them, and the
 *	  SQL side (CHECK constraints, define_event) asks for them through
 *	  vocabulary(), limit_value(), is_snake_case() and is_catalog_key().
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "guc.h"
#include "rules.h"

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(ec_vocabulary);
PG_FUNCTION_INFO_V1(ec_limit_value);
PG_FUNCTION_INFO_V1(ec_is_snake_case);
PG_FUNCTION_INFO_V1(ec_is_catalog_key);

const char *const ec_data_type_names[EC_NUM_DATA_TYPES] = {
	[EC_TYPE_STRING] = "string",
	[EC_TYPE_NUMBER] = "number",
	[EC_TYPE_BOOLEAN] = "boolean",
	[EC_TYPE_DATE] = "date",
	[EC_TYPE_TIMESTAMP] = "timestamp"
};

const char *const ec_requirement_names[EC_NUM_REQUIREMENTS] = {
	[EC_REQ_MANDATORY] = "mandatory",
	[EC_REQ_CHANNEL] = "channel",
	[EC_REQ_ENRICHMENT] = "enrichment",
	[EC_REQ_OPTIONAL] = "optional"
};

/* in the order of their bits in event_catalog.channels */
const char *const ec_channel_names[EC_NUM_CHANNELS] = {
	"email", "sms", "push", "whatsapp"
};

StaticAssertDecl(EC_CHANNEL_EMAIL == 1 << 0 && EC_CHANNEL_SMS == 1 << 1 &&
				 EC_CHANNEL_PUSH == 1 << 2 && EC_CHANNEL_WHATSAPP == 1 << 3,
				 "channel bits must follow ec_channel_names");

/* the lists vocabulary() knows, by kind */
static const struct
{
	const char *kind;
	const char *const *names;
	int			nnames;
}			vocabularies[] = {
	{"data_type", ec_data_type_names, EC_NUM_DATA_TYPES},
	{"requirement", ec_requirement_names, EC_NUM_REQUIREMENTS},
	{"channel", ec_channel_names, EC_NUM_CHANNELS}
};

/* the limits limit_value() knows, by name */
static const struct
{
	const char *name;
	int			value;
}			limits[] = {
	{"max_params", EC_MAX_PARAMS},
	{"default_max_length", EC_DEFAULT_MAX_LENGTH},
	{"key_max_length", EC_KEY_MAX_BYTES},
	{"identity_max_length", EC_IDENTITY_MAX_CHARS}
};

/*
 * The index of name (len bytes, not NUL-terminated) in names, or -1.
 */
int
ec_name_index(const char *const *names, int nnames, const char *name, int len)
{
	for (int i = 0; i < nnames; i++)
	{
		if (strlen(names[i]) == (size_t) len && memcmp(names[i], name, len) == 0)
			return i;
	}
	return -1;
}

/*
 * The names as an English list for messages: "a, b, c and d".
 */
char *
ec_names_sentence(const char *const *names, int nnames)
{
	StringInfoData buf;

	initStringInfo(&buf);
	for (int i = 0; i < nnames; i++)
	{
		if (i > 0)
			appendStringInfoString(&buf, i == nnames - 1 ? " and " : ", ");
		appendStringInfoString(&buf, names[i]);
	}
	return buf.data;
}

/*
 * Whether name matches ^[a-z][a-z0-9]*(_[a-z0-9]+)*$: a lower-case ASCII
 * letter, then letters and digits in words joined by single underscores.
 */
bool
ec_is_snake_case_name(const char *name, int len)
{
	if (len == 0 || name[0] < 'a' || name[0] > 'z')
		return false;
	for (int i = 1; i < len; i++)
	{
		char		c = name[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			continue;
		/* an underscore must be followed by a letter or digit */
		if (c != '_' || i == len - 1 || name[i + 1] == '_')
			return false;
	}
	return true;
}

/*
 * Whether name can be an event or param key: snake_case, at most
 * EC_KEY_MAX_BYTES bytes.
 */
bool
ec_is_catalog_key_name(const char *name, int len)
{
	return len <= EC_KEY_MAX_BYTES && ec_is_snake_case_name(name, len);
}

/*
 * vocabulary(kind): the names of data types, requirements or channels.
 */
Datum
ec_vocabulary(PG_FUNCTION_ARGS)
{
	text	   *kind = PG_GETARG_TEXT_PP(0);
	const char *str = VARDATA_ANY(kind);
	int			len = VARSIZE_ANY_EXHDR(kind);

	for (int i = 0; i < lengthof(vocabularies); i++)
	{
		Datum	   *elems;

		if (strlen(vocabularies[i].kind) != (size_t) len ||
			memcmp(vocabularies[i].kind, str, len) != 0)
			continue;
		elems = palloc(sizeof(Datum) * vocabularies[i].nnames);
		for (int j = 0; j < vocabularies[i].nnames; j++)
			elems[j] = CStringGetTextDatum(vocabularies[i].names[j]);
		PG_RETURN_ARRAYTYPE_P(construct_array(elems, vocabularies[i].nnames,
											  TEXTOID, -1, false, TYPALIGN_INT));
	}
	{
		const char *kinds[lengthof(vocabularies)];

		for (int i = 0; i < lengthof(vocabularies); i++)
			kinds[i] = vocabularies[i].kind;
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown vocabulary \"%s\"", text_to_cstring(kind)),
				 errhint("The vocabularies are %s.",
						 ec_names_sentence(kinds, lengthof(kinds)))));
	}
	PG_RETURN_NULL();			/* keep compiler quiet */
}

/*
 * limit_value(name): one of the catalog's limits.
 */
Datum
ec_limit_value(PG_FUNCTION_ARGS)
{
	text	   *name = PG_GETARG_TEXT_PP(0);
	const char *str = VARDATA_ANY(name);
	int			len = VARSIZE_ANY_EXHDR(name);

	for (int i = 0; i < lengthof(limits); i++)
	{
		if (strlen(limits[i].name) == (size_t) len &&
			memcmp(limits[i].name, str, len) == 0)
			PG_RETURN_INT32(limits[i].value);
	}
	{
		const char *names[lengthof(limits)];

		for (int i = 0; i < lengthof(limits); i++)
			names[i] = limits[i].name;
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown limit \"%s\"", text_to_cstring(name)),
				 errhint("The limits are %s.", ec_names_sentence(names, lengthof(names)))));
	}
	PG_RETURN_NULL();			/* keep compiler quiet */
}

/*
 * is_snake_case(name): whether name is a snake_case name.
 */
Datum
ec_is_snake_case(PG_FUNCTION_ARGS)
{
	text	   *name = PG_GETARG_TEXT_PP(0);

	PG_RETURN_BOOL(ec_is_snake_case_name(VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name)));
}

/*
 * is_catalog_key(name): whether name can be an event or param key.
 */
Datum
ec_is_catalog_key(PG_FUNCTION_ARGS)
{
	text	   *name = PG_GETARG_TEXT_PP(0);

	PG_RETURN_BOOL(ec_is_catalog_key_name(VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name)));
}
