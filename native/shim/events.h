/* The project's event log, shared by every shim of the project and by the
 * CLI: /run/tscompose/<project>/events.jsonl (the shim's --events), one JSON
 * object per line,
 *   {"time":"<RFC3339, 9 digits, UTC>","type":"die","container":"<name>",...}
 * appended with a single O_APPEND write (atomic between writers). `tscompose
 * events` follows it. */
#ifndef TSC_EVENTS_H
#define TSC_EVENTS_H

/* Opens the log once, when the shim starts: later events still go to it
 * while `down` removes the project directory (never to a new file beside
 * a removed one). Without it, events are dropped. */
void events_open(const char *path);
/* Appends one event. `attrs` is "" or more JSON members starting with a
 * comma (",\"exitCode\":1"), already escaped. Best effort: a full disk must
 * not stop the supervisor, so failures are ignored. */
void shim_event(const char *container, const char *type, const char *attrs);

#endif
