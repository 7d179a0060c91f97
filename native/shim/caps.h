/* Capabilities and no_new_privs: the last privilege steps before execve. */
#ifndef TSC_CAPS_H
#define TSC_CAPS_H

#include <stdbool.h>
#include <sys/types.h>

#include "spec.h"

/* Equivalent to: setpriv --bounding-set -all,+CAPS --inh-caps -all
 *                       --ambient-caps -all --clear-groups --regid --reuid
 *                       [--no-new-privs]
 * Drops the bounding set to `caps` (when caps_set), switches to the user,
 * then sets permitted = effective = caps for uid 0 (nothing for another
 * uid, as Docker) and an empty inheritable set; no_new_privs last. */
int drop_privileges(bool caps_set, unsigned long long caps, const struct user_ids *user, bool no_new_privs);

#endif
