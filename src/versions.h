/*-------------------------------------------------------------------------
 *
 * versions.h
 *	  Versions of profile writes: "YYYY-MM-DD HH24:MI:SS.US|digest", the
 *	  event time in UTC and a content digest, compared as bytes.
 *
 *-------------------------------------------------------------------------
 */
#ifndef EC_VERSIONS_H
#define EC_VERSIONS_H

#include "postgres.h"

extern int	ec_version_cmp(const char *a, int alen, const char *b, int blen);

#endif							/* EC_VERSIONS_H */
