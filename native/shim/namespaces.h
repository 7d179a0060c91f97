/* Namespace names, joining and the UTS names. */
#ifndef TSC_NAMESPACES_H
#define TSC_NAMESPACES_H

#include <sys/types.h>

/* "mount,uts,ipc,pid,cgroup" (plus "net" when allow_net) -> CLONE_NEW* flags.
 * "mnt" is accepted for "mount". Returns 0 or -1 (refused). */
int parse_ns_list(const char *list, int allow_net, int *flags);

/* Join the network namespace bound at PATH (a /run/netns file). */
int join_netns_path(const char *path);

/* The namespaces of a running process, opened first and joined after, so
 * that the set stays consistent even if the process exits in between. */
struct process_namespaces {
	int count;
	int fd[7];
	int type[7];
	const char *name[7];
};
int open_process_namespaces(pid_t pid, int flags, struct process_namespaces *ns);
int join_process_namespaces(struct process_namespaces *ns);

/* sethostname/setdomainname in a new UTS namespace (NULL: leave as is). */
int set_uts_names(const char *hostname, const char *domainname);

#endif
