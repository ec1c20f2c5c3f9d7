/*-------------------------------------------------------------------------
 *
 * guc.c
 *	  The event_catalog.* settings.  All are USERSET; the prefix is
 *	  reserved so that a typo in a setting name is reported.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <ctype.h>

#include "utils/guc.h"

#include "compat.h"
#include "guc.h"
#include "rules.h"

int			ec_unknown_params = EC_UNKNOWN_PARAMS_WARN;
int			ec_unknown_events = EC_UNKNOWN_EVENTS_REJECT;
int			ec_on_invalid = EC_ON_INVALID_ERROR;
int			ec_timestamp_format = EC_TIMESTAMP_LENIENT;
int			ec_enabled_channels = 0;

static char *ec_channels_string = NULL;
static char *ec_tenant_string = NULL;

/* every setting, by name (a Citus coordinator sends them to the workers) */
const char *const ec_setting_names[] = {
	"event_catalog.unknown_params", "event_catalog.unknown_events", "event_catalog.channels",
	"event_catalog.on_invalid", "event_catalog.timestamp_format", "event_catalog.tenant"
};
const int	ec_num_settings = lengthof(ec_setting_names);

static const struct config_enum_entry unknown_params_options[] = {
	{"warn", EC_UNKNOWN_PARAMS_WARN, false},
	{"allow", EC_UNKNOWN_PARAMS_ALLOW, false},
	{"reject", EC_UNKNOWN_PARAMS_REJECT, false},
	{NULL, 0, false}
};

static const struct config_enum_entry unknown_events_options[] = {
	{"reject", EC_UNKNOWN_EVENTS_REJECT, false},
	{"accept", EC_UNKNOWN_EVENTS_ACCEPT, false},
	{NULL, 0, false}
};

static const struct config_enum_entry on_invalid_options[] = {
	{"error", EC_ON_INVALID_ERROR, false},
	{"quarantine", EC_ON_INVALID_QUARANTINE, false},
	{NULL, 0, false}
};

static const struct config_enum_entry timestamp_format_options[] = {
	{"lenient", EC_TIMESTAMP_LENIENT, false},
	{"strict", EC_TIMESTAMP_STRICT, false},
	{NULL, 0, false}
};

/*
 * The channel bit for a channel name, or 0 if there is no such channel.
 */
int
ec_channel_from_name(const char *name, int len)
{
	int			i = ec_name_index(ec_channel_names, EC_NUM_CHANNELS, name, len);

	return i < 0 ? 0 : 1 << i;
}

/*
 * event_catalog.channels is a comma-separated list of channel names;
 * blanks around names are ignored and so are empty items.
 */
static bool
check_channels(char **newval, void **extra, GucSource source)
{
	const char *p = *newval ? *newval : "";
	int			mask = 0;
	int		   *result;

	while (*p)
	{
		const char *start;
		const char *end;
		int			bit;

		while (*p == ',' || isspace((unsigned char) *p))
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p && *p != ',')
			p++;
		end = p;
		while (end > start && isspace((unsigned char) end[-1]))
			end--;

		bit = ec_channel_from_name(start, end - start);
		if (bit == 0)
		{
			GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
			GUC_check_errmsg("invalid channel \"%.*s\" in event_catalog.channels",
							 (int) (end - start), start);
			GUC_check_errdetail("Channels are %s.",
								ec_names_sentence(ec_channel_names, EC_NUM_CHANNELS));
			return false;
		}
		mask |= bit;
	}

	result = (int *) ec_guc_malloc(sizeof(int));
	if (result == NULL)
		return false;
	*result = mask;
	*extra = result;
	return true;
}

/* the channel mask check_channels computed becomes the setting */
static void
assign_channels(const char *newval, void *extra)
{
	ec_enabled_channels = *((int *) extra);
}

/* define the event_catalog.* settings and reserve the prefix */
void
ec_guc_init(void)
{
	DefineCustomEnumVariable("event_catalog.unknown_params",
							 gettext_noop("What validation reports for context params the event does not define."),
							 gettext_noop("warn reports a warning, allow reports nothing, reject reports an error."),
							 &ec_unknown_params,
							 EC_UNKNOWN_PARAMS_WARN,
							 unknown_params_options,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);

	DefineCustomEnumVariable("event_catalog.unknown_events",
							 gettext_noop("Whether events whose key is not in the catalog are rejected or accepted."),
							 gettext_noop("Accepted unknown events are stored with a warning and have no effect."),
							 &ec_unknown_events,
							 EC_UNKNOWN_EVENTS_REJECT,
							 unknown_events_options,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("event_catalog.channels",
							   gettext_noop("Comma-separated list of enabled execution channels."),
							   gettext_noop("A channel param of an enabled channel (email, sms, push, whatsapp) is mandatory."),
							   &ec_channels_string,
							   "",
							   PGC_USERSET, GUC_LIST_INPUT,
							   check_channels, assign_channels, NULL);

	DefineCustomEnumVariable("event_catalog.on_invalid",
							 gettext_noop("What ingest does with an invalid event."),
							 gettext_noop("error aborts the statement, quarantine moves the event to rejected_events."),
							 &ec_on_invalid,
							 EC_ON_INVALID_ERROR,
							 on_invalid_options,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);

	DefineCustomEnumVariable("event_catalog.timestamp_format",
							 gettext_noop("Which forms of the top-level timestamp are accepted."),
							 gettext_noop("strict accepts only \"YYYY-MM-DD HH:MM:SS.ffffff UTC\", the form Optimove documents."),
							 &ec_timestamp_format,
							 EC_TIMESTAMP_LENIENT,
							 timestamp_format_options,
							 PGC_USERSET, 0,
							 NULL, NULL, NULL);

	DefineCustomStringVariable("event_catalog.tenant",
							   gettext_noop("The tenant whose rows the optional row-level security shows."),
							   gettext_noop("Used by the policies of enable_tenant_isolation(); empty shows no rows."),
							   &ec_tenant_string,
							   "",
							   PGC_USERSET, 0,
							   NULL, NULL, NULL);

#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("event_catalog");
#else
	EmitWarningsOnPlaceholders("event_catalog");
#endif
}
