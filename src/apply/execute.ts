/**
 * Execute a plan. The plan's waves say what may run together; execution is
 * finer: every action starts as soon as the actions it depends on are done,
 * so one container's processes can start while another's veth is still being
 * made (on two cores that overlap is most of the speed of a large `up`).
 * Containers start through one streaming `tsc-shim launch` for the whole
 * run, spawned before anything else so its start-up overlaps the network
 * work.
 *
 * `up` starts nothing new after the first failure (what depends on it could
 * not work), lets what is running finish, and reports every failure; teardown
 * runs everything whatever fails and reports all failures together.
 */
import { ApplyError, ApplyErrors, TeardownErrors } from '../errors';
import type { Action, Plan } from '../plan/actions';
import type { ApplyEnv } from './env';
import { actionFinished, faultPoint } from './fault';
import { Launcher } from '../sys/shim';
import { startContainer } from './handlers/container';
import { waitForConditions } from './handlers/conditions';
import { handlers } from './handlers';

export interface ExecuteOptions {
  /** Teardown: keep going after failures, report them all at the end. */
  continueOnError?: boolean;
}

/**
 * Container starts in flight at once. A start is mount-namespace work in the
 * kernel (copy, overlay, pivot_root, detach: RCU grace periods) that
 * contends with the link and namespace work still going on under the rtnl
 * lock; unbounded, a 1,000-node lab came up in 18 s instead of 8.
 */
const STARTS_IN_FLIGHT = 8;

/** What runs each action (tests pass fakes). */
export interface Registry {
  run(a: Action, env: ApplyEnv): Promise<void>;
  /** Called once per run when it ends (the launcher relays its last reports and exits). */
  close?(): Promise<void>;
}

/** The real handlers; container starts go through one Launcher for the run. */
export function kernelRegistry(plan: Plan): Registry {
  const launcher = plan.waves.some((w) => w.some((a) => a.kind === 'container.start')) ? new Launcher() : undefined;
  launcher?.warm();
  const limit = STARTS_IN_FLIGHT;
  let inflight = 0;
  const waiters: Array<() => void> = [];
  const throttled = async (a: Extract<Action, { kind: 'container.start' }>, env: ApplyEnv) => {
    // depends_on conditions first: a start waiting for a dependency's health holds no launch slot.
    await waitForConditions(a, env);
    if (inflight >= limit) await new Promise<void>((r) => waiters.push(r));
    inflight++;
    try {
      await startContainer(a, env, launcher!);
    } finally {
      inflight--;
      waiters.shift()?.();
    }
  };
  return {
    run: (a, env) =>
      a.kind === 'container.start'
        ? throttled(a, env)
        : (handlers[a.kind as keyof typeof handlers] as (a: Action, env: ApplyEnv) => Promise<void>)(a, env),
    close: async () => launcher?.close(),
  };
}

export async function execute(plan: Plan, env: ApplyEnv, opts: ExecuteOptions = {}, registry?: Registry): Promise<void> {
  const actions = plan.waves.flat();
  if (!actions.length) return;
  const handlersForRun = registry ?? kernelRegistry(plan);
  try {
    await run(plan, actions, env, opts, handlersForRun);
  } finally {
    await handlersForRun.close?.();
  }
}

async function run(plan: Plan, actions: Action[], env: ApplyEnv, opts: ExecuteOptions, registry: Registry): Promise<void> {
  const waveOf = new Map<string, number>();
  plan.waves.forEach((w, i) => w.forEach((a) => waveOf.set(a.id, i)));
  const leftInWave = plan.waves.map((w) => w.length);
  const t0 = performance.now();

  const dependents = new Map<string, Action[]>();
  const waiting = new Map<string, number>();
  for (const a of actions) {
    const deps = a.after.filter((d) => waveOf.has(d));
    waiting.set(a.id, deps.length);
    for (const d of deps) {
      const list = dependents.get(d);
      if (list) list.push(a);
      else dependents.set(d, [a]);
    }
  }

  const failures: ApplyError[] = [];
  const failedIds = new Set<string>();
  let stopping = false;
  let remaining = actions.length;
  let finishAll!: () => void;
  const allDone = new Promise<void>((r) => (finishAll = r));

  const settle = (a: Action, error?: unknown) => {
    remaining--;
    if (error === undefined) {
      env.emit({ type: 'action', phase: 'done', action: a, ms: performance.now() - (begun.get(a.id) ?? t0) });
    } else {
      const e = new ApplyError({ kind: a.kind, id: a.id, target: a.target }, error);
      failures.push(e);
      failedIds.add(a.id);
      env.emit({ type: 'action', phase: 'failed', action: a, error: e });
      if (!opts.continueOnError) stopping = true;
    }
    actionFinished();
    const w = waveOf.get(a.id)!;
    if (--leftInWave[w]! === 0) {
      env.emit({ type: 'wave', index: w + 1, actions: plan.waves[w]!.length, ms: performance.now() - t0 });
      faultPoint(`after-wave:${w + 1}`);
    }
    for (const next of dependents.get(a.id) ?? []) {
      const n = waiting.get(next.id)! - 1;
      waiting.set(next.id, n);
      if (n === 0) launch(next);
    }
    if (remaining === 0) finishAll();
  };

  const begun = new Map<string, number>();
  const launch = (a: Action) => {
    if (stopping || (!opts.continueOnError && a.after.some((d) => failedIds.has(d)))) {
      // Not run: count it as finished so the run can end.
      remaining--;
      const w = waveOf.get(a.id)!;
      leftInWave[w]!--;
      for (const next of dependents.get(a.id) ?? []) {
        const n = waiting.get(next.id)! - 1;
        waiting.set(next.id, n);
        if (n === 0) launch(next);
      }
      if (remaining === 0) finishAll();
      return;
    }
    begun.set(a.id, performance.now());
    env.emit({ type: 'action', phase: 'start', action: a });
    registry.run(a, env).then(
      () => settle(a),
      (e) => settle(a, e ?? new Error('failed')),
    );
  };

  for (const a of actions) if (waiting.get(a.id) === 0) launch(a);
  await allDone;

  if (!failures.length) return;
  if (opts.continueOnError) throw new TeardownErrors(failures);
  throw failures.length === 1 ? failures[0]! : new ApplyErrors(failures);
}
