/* The session keyring is inherited across fork and execve: without this,
 * a container (or an `exec`'d command) possesses the caller's session
 * keyring and reads every key in it (`keyctl print %user:NAME`), e.g. the
 * credentials a login or a build left there: a secret leaking across the
 * container boundary, the class runc closes by joining each container to a
 * fresh session keyring (JoinSessionKeyring), as crun does.
 *
 * Equivalent to: keyctl new_session (an anonymous session keyring that
 * only this process and its children possess). */
#include "keyring.h"

#include <errno.h>
#include <linux/keyctl.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "report.h"

int join_new_session_keyring(void)
{
	if (syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) >= 0)
		return 0;
	/* A kernel without keys (CONFIG_KEYS=n) has nothing to leak. */
	if (errno == ENOSYS)
		return 0;
	return fail("keyctl", errno, "KEYCTL_JOIN_SESSION_KEYRING");
}
