/**
 * Syntax of the names a compose file gives: services, networks, projects,
 * host names, Linux interface names, environment variables. Each check
 * returns a reason when the name is bad, undefined when it is fine.
 */
import { utf8Length } from './yaml';

/** Service and network keys (Compose's own rule, first character alphanumeric). */
export const OBJECT_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function checkObjectName(name: string): string | undefined {
  return OBJECT_NAME_RE.test(name) ? undefined : 'must start with a letter or digit and contain only letters, digits, "_", "." and "-"';
}

const PROJECT_RE = /^[a-z0-9][a-z0-9_-]*$/;

export function checkProjectName(name: string): string | undefined {
  return PROJECT_RE.test(name)
    ? undefined
    : 'a project name must contain only lowercase letters, digits, "-" and "_", and start with a letter or digit';
}

/** Docker Compose's normalization of a directory name into a project name. */
export function normalizeProjectName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[^a-z0-9]+/, '');
}

const LABEL_RE = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;

/** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens. */
export function checkHostname(name: string, maxLength = 253): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > maxLength) return `is longer than ${maxLength} characters`;
  const labels = name.endsWith('.') && name.length > 1 ? name.slice(0, -1).split('.') : name.split('.');
  for (const l of labels) {
    if (!LABEL_RE.test(l)) return 'is not a valid RFC 1123 host name (labels of letters, digits and inner "-", at most 63 characters each, separated by ".")';
  }
  return undefined;
}

/** A Linux network interface name (IFNAMSIZ: 15 bytes plus NUL). */
export function checkIfName(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (utf8Length(name) > 15) return 'is longer than 15 bytes (the Linux limit for interface names)';
  if (name === '.' || name === '..') return 'is not a valid interface name';
  if (/[/:\s]/.test(name) || /[\x00-\x1f\x7f]/.test(name)) return 'must not contain "/", ":", whitespace or control characters';
  return undefined;
}

/** Docker's container name rule. */
export function checkContainerName(name: string): string | undefined {
  return /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(name)
    ? undefined
    : 'must be at least 2 characters, start with a letter or digit, and contain only letters, digits, "_", "." and "-"';
}

/** Environment variable names: anything a process can receive (no "=", no NUL), and no blanks. */
export function checkEnvName(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.includes('=')) return 'must not contain "="';
  if (/[\s\x00-\x1f\x7f]/.test(name)) return 'must not contain whitespace or control characters';
  return undefined;
}

/** Edit distance, for "did you mean …" on unknown keys. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const c of candidates) {
    const d = distance(word, c, bestD);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best;
}

function distance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
