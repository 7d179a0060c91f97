#ifndef TSC_SYSCTL_H
#define TSC_SYSCTL_H

/* Write "net.KEY=VALUE" in the current network namespace; other keys are
 * refused (they are not per namespace: they would change the host). */
int apply_net_sysctl(const char *assignment);
/* kernel.{msg*,sem,shm*}, fs.mqueue.*: in the caller's ipc namespace. */
int apply_ipc_sysctl(const char *assignment);

#endif
