/*
 * The live-object census (kern/kern_census.c): counters by type, taken
 * before the user tests and compared after them.
 */
#ifndef _CENSUS_H_
#define _CENSUS_H_

#include "types.h"

#define CENSUS_COUNTERS	12
#define CENSUS_POOLS	64

struct census {
	const char	*c_name[CENSUS_COUNTERS];
	uint64_t	c_val[CENSUS_COUNTERS];
	int		c_npools;
	const char	*c_pool_name[CENSUS_POOLS];	/* static strings */
	uint64_t	c_pool_live[CENSUS_POOLS];
};

/* Snapshot the counters into c. */
void	census_take(struct census *c);
/* Compare with before; print a one-test KTAP document ("census"); return
 * true if every counter and pool is back where it was. */
bool	census_report(const struct census *before);

#endif
