/* Copy-up of an image's content into a new volume, as Docker does. */
#ifndef TSC_POPULATE_H
#define TSC_POPULATE_H

/* If the directory VOLUME (an fd of the detached mount) is empty and PATH
 * inside the new root is a directory with content, copy that content into
 * VOLUME (owners, modes, times, symlinks as symlinks, FIFOs and device
 * nodes as such; nothing followed). 0, or -1 with the failure recorded. */
int populate_volume(int rootfd, const char *path, int volume);

#endif
