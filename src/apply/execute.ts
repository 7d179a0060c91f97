/**
 * Execute a plan wave by wave; the actions of a wave run concurrently.
 * `up` stops after the first wave with a failure (later waves depend on it)
 * and reports every failure of that wave; teardown goes on through every
 * wave and reports all failures together.
 */
import { ApplyError, ApplyErrors, TeardownErrors } from '../errors';
import type { Action, Plan } from '../plan/actions';
import type { ApplyEnv } from './env';
import { faultPoint } from './fault';
import { batchHandlers, handlers } from './handlers';

export interface ExecuteOptions {
  /** Teardown: keep going after failures, report them all at the end. */
  continueOnError?: boolean;
}

export async function execute(plan: Plan, env: ApplyEnv, opts: ExecuteOptions = {}): Promise<void> {
  const failures: ApplyError[] = [];
  for (const [i, wave] of plan.waves.entries()) {
    const t0 = performance.now();
    const waveFailures = await runWave(wave, env);
    env.emit({ type: 'wave', index: i + 1, actions: wave.length, ms: performance.now() - t0 });
    faultPoint(`after-wave:${i + 1}`);
    failures.push(...waveFailures);
    if (waveFailures.length && !opts.continueOnError) break;
  }
  if (!failures.length) return;
  if (opts.continueOnError) throw new TeardownErrors(failures);
  throw failures.length === 1 ? failures[0]! : new ApplyErrors(failures);
}

async function runWave(wave: Action[], env: ApplyEnv): Promise<ApplyError[]> {
  const failures: ApplyError[] = [];
  const started = new Map<string, number>();
  const begin = (a: Action) => {
    started.set(a.id, performance.now());
    env.emit({ type: 'action', phase: 'start', action: a });
  };
  const finish = (a: Action, error?: unknown) => {
    if (error === undefined) {
      env.emit({ type: 'action', phase: 'done', action: a, ms: performance.now() - (started.get(a.id) ?? 0) });
      return;
    }
    const e = new ApplyError({ kind: a.kind, id: a.id, target: a.target }, error);
    failures.push(e);
    env.emit({ type: 'action', phase: 'failed', action: a, error: e });
  };

  const starts = wave.filter((a): a is Extract<Action, { kind: 'container.start' }> => a.kind === 'container.start');
  const singles = wave.filter((a) => a.kind !== 'container.start');
  const jobs: Promise<void>[] = singles.map(async (a) => {
    begin(a);
    try {
      await (handlers[a.kind as keyof typeof handlers] as (a: Action, env: ApplyEnv) => Promise<void>)(a, env);
      finish(a);
    } catch (e) {
      finish(a, e);
    }
  });
  if (starts.length) {
    jobs.push(
      (async () => {
        starts.forEach(begin);
        try {
          const results = await batchHandlers['container.start'](starts, env);
          starts.forEach((a, i) => finish(a, results[i]));
        } catch (e) {
          starts.forEach((a) => finish(a, e));
        }
      })(),
    );
  }
  await Promise.all(jobs);
  return failures;
}
