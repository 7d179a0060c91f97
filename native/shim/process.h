/* The last steps before execve, shared by `run` (container) and `exec`. */
#ifndef TSC_PROCESS_H
#define TSC_PROCESS_H

#include <stddef.h>

#include "spec.h"

int enter_cwd(const char *dir);
int switch_user(const struct user_ids *user);
/* KEEP: fds above 2 left open, sorted ascending (none: NULL, 0). */
int close_fds_except(const int *keep, size_t nkeep);
int prepare_exec(const int *keep, size_t nkeep);
/* Returns only on failure (-1, last_failure set). */
int exec_command(char **argv, char **env);
/* A wait status as a shell reports it: the code, or 128 + signal. */
int exit_code_of(int status);

#endif
