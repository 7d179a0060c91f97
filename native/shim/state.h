/* Files in the state dir (0700, given by the CLI). Each is replaced
 * atomically (write a temporary, rename), so readers never see half. */
#ifndef TSC_STATE_H
#define TSC_STATE_H

#include <sys/types.h>
#include <time.h>

/* Writes NAME in the dir: a temporary, then rename. */
int write_file_atomic(int dirfd, const char *name, const char *data, size_t len);
/* Opens the state dir; refuses one that is not ours or not mode 0700. */
int open_state_dir(const char *path);
/* "<pid> <starttime>\n": starttime (field 22 of /proc/PID/stat) lets the
 * CLI tell the process from a later one that reused the pid. */
int write_process_ref(int dirfd, const char *name, pid_t pid);
/* exit.json: {"exitCode":N,"signal":"SIGTERM"|null,"finishedAt":"<RFC3339 ms>"} */
int write_exit_json(int dirfd, int wait_status, const struct timespec *finished);

#endif
