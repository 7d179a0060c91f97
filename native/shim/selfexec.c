/* CVE-2019-5736 class: a process in the container that gets hold of the
 * shim's image through /proc/PID/exe can rewrite the host's tsc-shim
 * once the shim has exited (and with it every later `up` runs the
 * container's code as root on the host). A container reaches it by
 * running /proc/self/exe as its command (`exec s /proc/self/exe`, or
 * `command: [/proc/self/exe]`): at that execve the process's own image is
 * still the shim's. So `run`, `launch` and `exec` first re-exec the shim
 * from a read-only, detached bind mount of its image (runc >= 1.2 does
 * the same with a read-only overlay, falling back to a sealed memfd):
 * every later /proc/PID/exe names that mount, and opening it for writing
 * fails with EROFS, wherever it is reopened from.
 *
 * Equivalent to: mount --bind -o ro tsc-shim <detached>; exec it. */
#include "selfexec.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "commands.h"
#include "report.h"

bool own_image_read_only(void)
{
	struct statvfs st;
	return statvfs("/proc/self/exe", &st) == 0 && (st.f_flag & ST_RDONLY);
}

int reexec_read_only(char **argv)
{
	extern char **environ;
	if (own_image_read_only())
		return 0;
	int image = open_own_image();
	if (image < 0)
		return -1;
	execveat(image, "", argv, environ, AT_EMPTY_PATH);
	int err = errno;
	close(image);
	return fail("execveat", err, "the shim's image, read-only");
}
