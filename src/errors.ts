/**
 * The error family. Every error tscompose raises on purpose is one of these;
 * the CLI's single top-level catch maps them to messages and exit codes.
 * Anything else that reaches the top is a bug (reported as InternalError).
 */

/** Exit statuses, stable and documented in the README. */
export const ExitCode = {
  ok: 0,
  /** Applying a plan failed (a kernel or process operation), or reading the machine did. */
  apply: 1,
  /** Bad command line (unknown verb, flag or service). */
  usage: 2,
  /** The compose file is invalid or uses something not supported yet. */
  spec: 3,
  /** The file is valid but cannot be realised (subnet overlap, pool exhausted, cycle). */
  plan: 4,
  /** Teardown finished but could not remove everything. */
  teardown: 5,
  /** Another tscompose run holds the project lock. */
  busy: 6,
  /** `check`/`verify` found a difference between the file and the machine. */
  drift: 7,
  /** A bug in tscompose. */
  internal: 70,
  /** Interrupted by SIGINT. */
  interrupted: 130,
} as const;

export abstract class TscError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: number;
  /** Machine-readable form for `--json` output. */
  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message };
  }
}

/** Where a key was written: 1-based line and column. */
export interface SourceLoc {
  file: string;
  line: number;
  col: number;
}

/** One problem found in a compose file. */
export interface SpecIssue {
  /** Dotted key path, e.g. `services.web.networks.front.ipv4_address`. */
  path: string;
  message: string;
  loc?: SourceLoc;
}

export function formatLoc(loc: SourceLoc | undefined): string {
  return loc ? `${loc.file}:${loc.line}:${loc.col}` : '';
}

export function formatIssue(issue: SpecIssue): string {
  const where = formatLoc(issue.loc);
  const head = [where, issue.path].filter(Boolean).join(' ');
  return head ? `${head}: ${issue.message}` : issue.message;
}

/** An error made of located issues (every one found, not just the first). */
abstract class IssuesError extends TscError {
  readonly issues: SpecIssue[];
  constructor(issues: SpecIssue[] | SpecIssue) {
    const list = Array.isArray(issues) ? issues : [issues];
    super(list.map(formatIssue).join('\n'));
    this.issues = list;
  }
  override toJSON() {
    return { code: this.code, message: this.message, issues: this.issues };
  }
}

/** The compose file is wrong, or asks for something we do not support yet. */
export class SpecError extends IssuesError {
  readonly code = 'SPEC';
  readonly exitCode = ExitCode.spec;
  override name = 'SpecError';
  /** Warnings found before the load failed (shown too: an unset variable often explains an error). */
  warnings?: SpecIssue[];
}

/** The file is valid but cannot be made real: overlap, exhaustion, cycles. */
export class PlanError extends IssuesError {
  readonly code = 'PLAN';
  readonly exitCode = ExitCode.plan;
  override name = 'PlanError';
}

/** Bad command-line usage. */
export class UsageError extends TscError {
  readonly code = 'USAGE';
  readonly exitCode = ExitCode.usage;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Another run holds the project lock. */
export class BusyError extends TscError {
  readonly code = 'BUSY';
  readonly exitCode = ExitCode.busy;
  constructor(message: string) {
    super(message);
    this.name = 'BusyError';
  }
}

/** Node-style system error fields (as thrown by fs, netlink and our addon). */
export interface ErrnoLike {
  code?: string;
  errno?: number;
  syscall?: string;
  path?: string;
  message: string;
}

export function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const e = cause as Error & ErrnoLike;
    if (e.code && e.syscall) return `${e.syscall}${e.path ? ` ${e.path}` : ''}: ${e.code}`;
    if (e.code && !e.message.includes(e.code)) return `${e.code}: ${e.message}`;
    return e.message;
  }
  return String(cause);
}

/** One action of a plan failed: `veth.create tsc-v-1a2b: EEXIST (RTM_NEWLINK)`. */
export class ApplyError extends TscError {
  readonly code = 'APPLY';
  readonly exitCode = ExitCode.apply;
  constructor(
    readonly action: { kind: string; id: string; target?: string },
    override readonly cause: unknown,
  ) {
    super(`${action.kind} ${action.target ?? action.id}: ${describeCause(cause)}`);
    this.name = 'ApplyError';
  }
  override toJSON() {
    return { code: this.code, message: this.message, action: this.action.id, kind: this.action.kind };
  }
}

/** `up --wait`: a container exited, turned unhealthy or was not ready in time. */
export class WaitError extends TscError {
  readonly code = 'WAIT';
  readonly exitCode = ExitCode.apply;
  constructor(message: string) {
    super(message);
    this.name = 'WaitError';
  }
}

/** Several actions of one wave failed during `up`. */
export class ApplyErrors extends TscError {
  readonly code = 'APPLY';
  readonly exitCode = ExitCode.apply;
  constructor(readonly errors: ApplyError[]) {
    super(`${errors.length} actions failed:\n` + errors.map((e) => `  - ${e.message}`).join('\n'));
    this.name = 'ApplyErrors';
  }
  override toJSON() {
    return { code: this.code, message: this.message, errors: this.errors.map((e) => e.toJSON()) };
  }
}

/** Teardown went on past failures; these are all of them. */
export class TeardownErrors extends TscError {
  readonly code = 'TEARDOWN';
  readonly exitCode = ExitCode.teardown;
  constructor(readonly errors: Error[]) {
    super(`teardown left ${errors.length} problem(s):\n` + errors.map((e) => `  - ${e.message}`).join('\n'));
    this.name = 'TeardownErrors';
  }
  override toJSON() {
    return { code: this.code, message: this.message, errors: this.errors.map((e) => e.message) };
  }
}

/** Reading the machine failed (not "it is gone"): nothing was planned, nothing changed. */
export class ObserveError extends TscError {
  readonly code = 'OBSERVE';
  readonly exitCode = ExitCode.apply;
  constructor(
    readonly object: string,
    override readonly cause: unknown,
  ) {
    super(`cannot read ${object}: ${describeCause(cause)}; nothing was changed`);
    this.name = 'ObserveError';
  }
}

/** A bug: something that must not happen did. */
export class InternalError extends TscError {
  readonly code = 'INTERNAL';
  readonly exitCode = ExitCode.internal;
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'InternalError';
  }
}
