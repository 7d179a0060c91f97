import test from 'ava';
import type { ApplyEnv } from '../../../src/apply/env';
import { execute, type Registry } from '../../../src/apply/execute';
import { ApplyError, ApplyErrors, TeardownErrors } from '../../../src/errors';
import type { ProgressEvent } from '../../../src/events';
import type { Action, Plan } from '../../../src/plan/actions';

const act = (id: string, after: string[] = [], kind: Action['kind'] = 'files.write'): Action =>
  kind === 'container.start'
    ? { kind, id, target: id, reason: 'r', after, container: id, service: id, launch: {} as any }
    : ({ kind, id, target: id, reason: 'r', after, container: id, files: {} } as Action);

function fakeEnv(events: ProgressEvent[] = []): ApplyEnv {
  return { emit: (e: ProgressEvent) => events.push(e) } as unknown as ApplyEnv;
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `until: { x: 'y' }` holds x until y has ended (or 2 s have passed, so a wrong order fails instead of hanging). */
function recorder(opts: { fail?: Set<string>; delay?: Record<string, number>; until?: Record<string, string> } = {}) {
  const log: string[] = [];
  const ended = new Map<string, () => void>();
  const endOf = (id: string) => new Promise<void>((resolve) => ended.set(id, resolve));
  let closed = 0;
  const registry: Registry = {
    async run(a) {
      log.push(`start ${a.id}`);
      const other = opts.until?.[a.id];
      if (other) await Promise.race([endOf(other), tick(2000)]);
      else await tick(opts.delay?.[a.id] ?? 1);
      log.push(`end ${a.id}`);
      ended.get(a.id)?.();
      if (opts.fail?.has(a.id)) throw Object.assign(new Error('boom'), { code: 'EIO', syscall: 'test' });
    },
    async close() {
      closed++;
    },
  };
  return { log, registry, closed: () => closed };
}

test('an action starts when its own dependencies are done, not when its whole wave is', async (t) => {
  const plan: Plan = {
    version: 1,
    project: 'p',
    waves: [[act('slow'), act('fast')], [act('after-fast', ['fast'])]],
  };
  const r = recorder({ until: { slow: 'after-fast' } });
  await execute(plan, fakeEnv(), {}, r.registry);
  t.true(r.log.indexOf('start after-fast') < r.log.indexOf('end slow'), r.log.join(', '));
});

test('a container starts as soon as its own setup is done, while others are still being set up', async (t) => {
  const plan: Plan = {
    version: 1,
    project: 'p',
    waves: [[act('net-a'), act('net-b')], [act('a', ['net-a'], 'container.start'), act('b', ['net-b'], 'container.start')], [act('c', ['a', 'b'], 'container.start')]],
  };
  const r = recorder({ until: { 'net-b': 'a' } });
  await execute(plan, fakeEnv(), {}, r.registry);
  t.true(r.log.indexOf('end a') < r.log.indexOf('end net-b'), r.log.join(', '));
  t.true(r.log.indexOf('start c') > r.log.indexOf('end b'));
  t.is(r.closed(), 1, 'the run ends by closing its handlers (the launcher) once');
});

test('up: nothing new starts after a failure, dependents are skipped, the failure is reported', async (t) => {
  const plan: Plan = { version: 1, project: 'p', waves: [[act('x'), act('y')], [act('z', ['x']), act('w', ['y'])]] };
  const r = recorder({ fail: new Set(['x']), delay: { y: 20 } });
  const e = await t.throwsAsync(execute(plan, fakeEnv(), {}, r.registry), { instanceOf: ApplyError });
  t.regex(e!.message, /files\.write x: test: EIO/);
  t.false(r.log.includes('start z'));
  t.false(r.log.includes('start w'), 'nothing new after the first failure');
  t.true(r.log.includes('end y'), 'what was running finishes');
});

test('several failures are reported together', async (t) => {
  const plan: Plan = { version: 1, project: 'p', waves: [[act('x'), act('y')]] };
  const r = recorder({ fail: new Set(['x', 'y']) });
  const e = await t.throwsAsync(execute(plan, fakeEnv(), {}, r.registry), { instanceOf: ApplyErrors });
  t.is((e as ApplyErrors).errors.length, 2);
});

test('teardown runs everything whatever fails and lists every failure', async (t) => {
  const plan: Plan = { version: 1, project: 'p', waves: [[act('x'), act('y')], [act('z', ['x'])]] };
  const r = recorder({ fail: new Set(['x', 'z']) });
  const e = await t.throwsAsync(execute(plan, fakeEnv(), { continueOnError: true }, r.registry), { instanceOf: TeardownErrors });
  t.true(r.log.includes('start z'));
  t.is((e as TeardownErrors).errors.length, 2);
});

test('progress: every action starts and finishes once, and every wave reports', async (t) => {
  const events: ProgressEvent[] = [];
  const plan: Plan = { version: 1, project: 'p', waves: [[act('a'), act('b')], [act('c', ['a'])]] };
  await execute(plan, fakeEnv(events), {}, recorder().registry);
  const done = events.filter((e) => e.type === 'action' && e.phase === 'done').map((e) => (e as any).action.id).sort();
  t.deepEqual(done, ['a', 'b', 'c']);
  t.deepEqual(events.filter((e) => e.type === 'wave').map((e) => (e as any).index).sort(), [1, 2]);
});
