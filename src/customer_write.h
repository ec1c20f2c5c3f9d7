/*-------------------------------------------------------------------------
 *
 * customer_write.h
 *	  Validation of one Customer Data API write (upsert_customers).
 *
 *-------------------------------------------------------------------------
 */
#ifndef EC_CUSTOMER_WRITE_H
#define EC_CUSTOMER_WRITE_H

#include "postgres.h"

/* the event whose params define the profile attributes */
#define EC_PROFILE_EVENT		"ootb_user_details_update"

/* the prefix an attribute key may leave out */
#define EC_OOTB_PREFIX			"ootb_"

#endif							/* EC_CUSTOMER_WRITE_H */
