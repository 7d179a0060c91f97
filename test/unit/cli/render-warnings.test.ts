/**
 * What the host cannot give, as the CLI shows it: `WARNING:` lines above
 * the plan (file:line:col and key first, as Docker prints its warnings), and
 * details meant for `-v` only.
 */
import test from 'ava';
import { renderEvent, renderPlan, renderWarnings } from '../../../src/cli/render';

const warned = {
  version: 1 as const,
  project: 'p',
  warnings: [{ path: 'services.web.blkio_config.weight', loc: { file: 'compose.yaml', line: 6, col: 7 }, message: 'this host cannot enforce a block I/O weight (…): weight discarded' }],
  waves: [],
};

test('plan: one WARNING line per limit left out, above the plan; none without warnings', (t) => {
  t.is(renderPlan(warned), 'WARNING: compose.yaml:6:7 services.web.blkio_config.weight: this host cannot enforce a block I/O weight (…): weight discarded\nProject p is up to date: nothing to do.\n');
  t.is(renderWarnings({ ...warned, warnings: undefined } as any), '');
});

test('a verbose note shows with -v only; a plain note always', (t) => {
  const e = { type: 'note' as const, verbose: true, message: 'p-web-1: SIGTERM can have no effect' };
  t.is(renderEvent(e, { project: 'p', verbose: true }), ' · p-web-1: SIGTERM can have no effect');
  t.is(renderEvent(e, { project: 'p', verbose: false }), undefined);
  t.is(renderEvent({ type: 'note', message: 'x' }, { project: 'p', verbose: false }), ' ! x');
});
