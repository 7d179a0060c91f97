import test from 'ava';
import { DetachScanner, parseDetachKeys } from '../../../src/cli/detach-keys';
import { inputFrames, sizeFrame } from '../../../src/sys/attach';

test('detach keys: ctrl-X and single characters, as Docker spells them; anything else is a usage error', (t) => {
  t.deepEqual(parseDetachKeys('ctrl-p,ctrl-q'), [0x10, 0x11]);
  t.deepEqual(parseDetachKeys('ctrl-@,a,ctrl-_'), [0x00, 0x61, 0x1f]);
  t.throws(() => parseDetachKeys('ctrl-7'), { message: /"ctrl-7" is not a key/ });
  t.throws(() => parseDetachKeys('ab'), { message: /"ab" is not a key/ });
});

test('the scanner holds a prefix back, passes it on when broken, and detaches on the whole sequence across chunks', (t) => {
  const s = new DetachScanner([0x10, 0x11]);
  t.deepEqual(s.feed(Buffer.from('ab\x10')), { pass: Buffer.from('ab'), detach: false });
  t.deepEqual(s.feed(Buffer.from('c')), { pass: Buffer.from('\x10c'), detach: false });
  t.deepEqual(s.feed(Buffer.from('\x10\x10')), { pass: Buffer.from('\x10'), detach: false });
  t.deepEqual(s.feed(Buffer.from('\x11after')), { pass: Buffer.alloc(0), detach: true });
});

test('attach frames: input in chunks of at most 65535 bytes, the size as rows and columns', (t) => {
  t.deepEqual(inputFrames(Buffer.from('hi')), Buffer.from([0x64, 0, 2, 0x68, 0x69]));
  const big = inputFrames(Buffer.alloc(70000, 1));
  t.is(big.length, 70000 + 6);
  t.deepEqual([...big.subarray(0, 3)], [0x64, 0xff, 0xff]);
  t.deepEqual(sizeFrame(33, 111), Buffer.from([0x77, 0, 4, 0, 33, 0, 111]));
});
