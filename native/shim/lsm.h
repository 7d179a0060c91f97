/* Linux security module labels of the container's process (policy from
 * plan/security-labels.ts): the AppArmor profile and the SELinux process
 * label take effect at the next execve (the command's), for `run` and
 * `exec` (and so the healthcheck and hooks) alike; the SELinux mount label
 * goes on the filesystems the shim makes for the container (its root
 * overlay, tmpfs mounts, /dev, /dev/shm). */
#ifndef TSC_LSM_H
#define TSC_LSM_H

struct lsm_spec {
	const char *apparmor;	/* --apparmor PROFILE; NULL: unchanged */
	const char *exec_label;	/* --exec-label LABEL (SELinux); NULL: unchanged */
	const char *mount_label;	/* --mount-label LABEL (SELinux, run only); NULL: none */
};

/* `--apparmor P`, `--exec-label L`, `--mount-label L`: 1 if argv[*i] was
 * one of them (consumed), 0 if not, -1 if refused. */
int parse_lsm_option(int argc, char **argv, int *i, struct lsm_spec *s);

/* Ask the kernel to put the next execve under the profile and label.
 * Returns 0, or -1 with last_failure naming the profile and the attr file. */
int apply_exec_labels(const struct lsm_spec *s);

/* The container's process, before its mounts: LABEL (or NULL) is what
 * mount_context_param gives (the launcher parses many containers' records:
 * never set at parse time). */
void use_mount_label(const char *label);

/* "context=LABEL" for the filesystems the shim makes, or NULL without a
 * mount label (see use_mount_label). */
const char *mount_context_param(void);

#endif
