/* The shim runs from a read-only mount of its image (see selfexec.c). */
#ifndef TSC_SELFEXEC_H
#define TSC_SELFEXEC_H

#include <stdbool.h>

/* Whether /proc/self/exe is on a read-only mount. */
bool own_image_read_only(void);

/* Unless already so: execveat the shim's image from a read-only, detached
 * bind mount of it, with the same argv and environment. Returns only on
 * failure (-1, recorded). */
int reexec_read_only(char **argv);

#endif
