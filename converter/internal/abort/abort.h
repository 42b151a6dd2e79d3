#ifndef IMGCELLS_ABORT_H
#define IMGCELLS_ABORT_H

#include <stdint.h>

/* abort_set reports whether the Go context behind flag (an abort.Flag's
 * Ptr, or NULL for none) has ended. */
static inline int abort_set(const int32_t *flag) {
	return flag != NULL && __atomic_load_n(flag, __ATOMIC_RELAXED) != 0;
}

#endif
