/* A session keyring of the container's own. */
#ifndef TSC_KEYRING_H
#define TSC_KEYRING_H

/* 0, or -1 with the failure recorded. */
int join_new_session_keyring(void);

#endif
