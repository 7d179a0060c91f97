#include "caps.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "process.h"
#include "report.h"

/* The highest capability this kernel knows: PR_CAPBSET_READ says EINVAL
 * past it (no /proc needed, which may not be mounted yet). */
static int last_cap(void)
{
	int cap = CAP_LAST_CAP;
	while (prctl(PR_CAPBSET_READ, cap + 1, 0, 0, 0) >= 0)
		cap++;
	return cap;
}

static int drop_bounding_set(unsigned long long keep)
{
	int last = last_cap();
	for (int cap = 0; cap <= last; cap++) {
		if (cap < 64 && (keep & (1ULL << cap)))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1 && errno != EINVAL)
			return fail("prctl", errno, "PR_CAPBSET_DROP %d", cap);
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 && errno != EINVAL)
		return fail("prctl", errno, "PR_CAP_AMBIENT_CLEAR_ALL");
	return 0;
}

static int set_caps(unsigned long long permitted)
{
	struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2] = {
		{ .effective = (__u32)permitted, .permitted = (__u32)permitted, .inheritable = 0 },
		{ .effective = (__u32)(permitted >> 32), .permitted = (__u32)(permitted >> 32), .inheritable = 0 },
	};
	if (syscall(SYS_capset, &header, data) == -1)
		return fail("capset", errno, "permitted/effective 0x%llx, inheritable 0", permitted);
	return 0;
}

/* What we hold now: a capability we lack (this machine's root may lack
 * some) cannot be given, so it is left out, as runc does. */
static int permitted_now(unsigned long long *caps)
{
	struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[2];
	if (syscall(SYS_capget, &header, data) == -1)
		return fail("capget", errno, "own capabilities");
	*caps = (unsigned long long)data[0].permitted | ((unsigned long long)data[1].permitted << 32);
	return 0;
}

int drop_privileges(bool caps_set, unsigned long long caps, const struct user_ids *user, bool no_new_privs)
{
	unsigned long long held = 0;
	if (caps_set) {
		if (permitted_now(&held) == -1)
			return -1;
		caps &= held;
	}
	if (caps_set && drop_bounding_set(caps) == -1)
		return -1;
	if (switch_user(user) == -1)
		return -1;
	/* setuid to a non-zero uid already emptied permitted and effective;
	 * root keeps exactly `caps`. Inheritable is emptied either way. */
	if (caps_set && set_caps(geteuid() == 0 ? caps : 0) == -1)
		return -1;
	if (no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return fail("prctl", errno, "PR_SET_NO_NEW_PRIVS");
	return 0;
}
