/*-------------------------------------------------------------------------
 *
 * guc.h
 *	  The event_catalog.* settings (guc.c) and the execution channels that
 *	  event_catalog.channels names.
 *
 *-------------------------------------------------------------------------
 */
#ifndef EC_GUC_H
#define EC_GUC_H

typedef enum EcUnknownParams
{
	EC_UNKNOWN_PARAMS_WARN,
	EC_UNKNOWN_PARAMS_ALLOW,
	EC_UNKNOWN_PARAMS_REJECT
} EcUnknownParams;

typedef enum EcUnknownEvents
{
	EC_UNKNOWN_EVENTS_REJECT,
	EC_UNKNOWN_EVENTS_ACCEPT
} EcUnknownEvents;

typedef enum EcOnInvalid
{
	EC_ON_INVALID_ERROR,
	EC_ON_INVALID_QUARANTINE
} EcOnInvalid;

typedef enum EcTimestampFormat
{
	EC_TIMESTAMP_LENIENT,
	EC_TIMESTAMP_STRICT
} EcTimestampFormat;

/* execution channels, as bits of event_catalog.channels */
#define EC_CHANNEL_EMAIL	0x01
#define EC_CHANNEL_SMS		0x02
#define EC_CHANNEL_PUSH		0x04
#define EC_CHANNEL_WHATSAPP 0x08

extern int	ec_unknown_params;
extern int	ec_unknown_events;
extern int	ec_on_invalid;
extern int	ec_timestamp_format;
extern int	ec_enabled_channels;
extern const char *const ec_setting_names[];
extern const int ec_num_settings;

extern void ec_guc_init(void);
extern int	ec_channel_from_name(const char *name, int len);

#endif							/* EC_GUC_H */
