/*-------------------------------------------------------------------------
 *
 * optimove_limits.h
 *	  The limits Optimove documents for OOTB events, as the validator and
 *	  the catalog cache apply them.  Not named limits.h: src/ is on the
 *	  include path, and that name would hide the C library's <limits.h>.
 *
 *-------------------------------------------------------------------------
 */
#ifndef EC_OPTIMOVE_LIMITS_H
#define EC_OPTIMOVE_LIMITS_H

#define EC_MAX_PARAMS			50		/* keys in one event's context */
#define EC_IDENTITY_MAX_CHARS	255		/* customer and visitor ids */
#define EC_DEFAULT_MAX_LENGTH	255		/* string params without max_length */
#define EC_KEY_MAX_BYTES		100		/* event and param keys (snake_case) */

/*
 * Ingest's own limits (not Optimove's), so that reading an event can
 * neither raise an error nor take unbounded memory: beyond them an event is
 * too_large (or invalid_json, for nesting), quarantined like any invalid
 * event.  Literal numbers: the problem registry quotes them.
 */
#define EC_EVENT_MAX_BYTES		1048576	/* a raw line; a payload as jsonb (1 MB) */
#define EC_RAW_MAX_DEPTH		1000	/* nesting of arrays and objects */
#define EC_RAW_MAX_DIGITS		10000	/* digits plus |exponent| of a number */

#endif							/* EC_OPTIMOVE_LIMITS_H */
