import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import test from 'ava';
import { followLogs, readLog, rotatedLogs } from '../../../src/sys/logs';

const rec = (text: string) => `2026-01-01T00:00:00.000000000Z stdout F ${text}\n`;

function dir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-logs-'));
}

test('readLog reads the rotated files oldest first, then container.log; --tail counts across them', (t) => {
  const d = dir();
  const file = path.join(d, 'container.log');
  fs.writeFileSync(`${file}.2`, rec('one') + rec('two'));
  fs.writeFileSync(`${file}.1`, rec('three'));
  fs.writeFileSync(file, rec('four'));
  fs.writeFileSync(`${file}.tmp`, rec('not a rotation'));
  t.deepEqual(rotatedLogs(file), [`${file}.2`, `${file}.1`]);
  t.deepEqual(readLog(file).lines.map((l) => l.text), ['one', 'two', 'three', 'four']);
  t.deepEqual(readLog(file, 2).lines.map((l) => l.text), ['three', 'four']);
  t.is(readLog(file).offset, rec('four').length, 'following goes on from the end of container.log');
});

test('followLogs: a rotation (container.log renamed to .1, a new one made) loses none of the lines written before it', async (t) => {
  const d = dir();
  const file = path.join(d, 'container.log');
  fs.writeFileSync(file, rec('a'));
  const seen: string[] = [];
  const files = [{ key: 'c', file, offset: 0 }];
  let step = 0;
  await followLogs(
    files,
    (_, lines) => seen.push(...lines.map((l) => l.text)),
    () => {
      step++;
      if (step === 2) fs.appendFileSync(file, rec('b'));
      if (step === 3) {
        // Written after the last poll, then rotated away before the next.
        fs.appendFileSync(file, rec('c'));
        fs.renameSync(file, `${file}.1`);
        fs.writeFileSync(file, rec('d'));
      }
      return step > 5;
    },
    1,
  );
  t.deepEqual(seen, ['a', 'b', 'c', 'd']);
});
