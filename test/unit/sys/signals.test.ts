/**
 * Whether a stop signal can do anything, from /proc/PID/status: the
 * dispositions of a `sleep` as PID 1, a shell with a trap, our init (which
 * blocks what it forwards), a process that ignores SIGTERM, one that is not
 * a namespace's init. Also against this very process, whose dispositions
 * Node sets.
 */
import test from 'ava';
import { constants } from 'node:os';
import { parseSignalState, readSignalState, signalIsNoOp } from '../../../src/sys/signals';

const { SIGTERM, SIGKILL, SIGINT, SIGWINCH } = constants.signals;

/** A /proc/PID/status excerpt (masks as the kernel prints them: 16 hex digits). */
const status = (o: { blk?: string; ign?: string; cgt?: string; nspid?: string }) =>
  [
    'Name:\tsleep',
    `NSpid:\t${o.nspid ?? '4242\t1'}`,
    'SigQ:\t0/7823',
    'SigPnd:\t0000000000000000',
    'ShdPnd:\t0000000000000000',
    `SigBlk:\t${o.blk ?? '0000000000000000'}`,
    `SigIgn:\t${o.ign ?? '0000000000000000'}`,
    `SigCgt:\t${o.cgt ?? '0000000000000000'}`,
  ].join('\n') + '\n';

test('a sleep as PID 1 of its pid namespace: SIGTERM is dropped by the kernel, SIGKILL is not', (t) => {
  const s = parseSignalState(status({}))!;
  t.true(s.namespaceInit);
  t.regex(signalIsNoOp(s, SIGTERM) ?? '', /PID 1 of its pid namespace and has no handler/);
  t.is(signalIsNoOp(s, SIGKILL), undefined);
});

test('a handler (a shell trap), a blocked signal, or a wait in sigtimedwait (our init, tini) counts: the grace period is kept', (t) => {
  t.is(signalIsNoOp(parseSignalState(status({}), 'do_sigtimedwait.isra.0')!, SIGTERM), undefined, 'sigwaitinfo: SigBlk shows nothing then');
  t.regex(signalIsNoOp(parseSignalState(status({}), 'hrtimer_nanosleep')!, SIGTERM) ?? '', /no handler/);
  // SIGTERM is 15: bit 14 = 0x4000.
  t.is(signalIsNoOp(parseSignalState(status({ cgt: '0000000000004000' }))!, SIGTERM), undefined);
  t.is(signalIsNoOp(parseSignalState(status({ blk: '0000000000004000' }))!, SIGTERM), undefined);
  t.regex(signalIsNoOp(parseSignalState(status({ cgt: '0000000000004000' }))!, SIGINT) ?? '', /no handler/, 'SIGINT (bit 1) is not handled');
  t.is(signalIsNoOp(parseSignalState(status({ cgt: '0000000000000002' }))!, SIGINT), undefined);
});

test('an ignored signal does nothing, in or out of a namespace init; outside, the default action counts', (t) => {
  const notInit = { nspid: '4242' };
  t.regex(signalIsNoOp(parseSignalState(status({ ign: '0000000000004000', ...notInit }))!, SIGTERM) ?? '', /ignores/);
  t.is(signalIsNoOp(parseSignalState(status(notInit))!, SIGTERM), undefined, 'default action: terminate');
  t.regex(signalIsNoOp(parseSignalState(status(notInit))!, SIGWINCH) ?? '', /default action is to do nothing/);
  t.is(signalIsNoOp(parseSignalState(status({ nspid: '4242\t17' }))!, SIGTERM), undefined, 'not the init of the inner namespace');
});

test('a status without the fields is unknown (no decision); this process reads as Node set it up', (t) => {
  t.is(parseSignalState('Name:\tx\n'), undefined);
  const self = readSignalState(process.pid)!;
  t.false(self.namespaceInit);
  t.is(readSignalState(2 ** 22 + 1), undefined, 'no such process');
});
