import test from 'ava';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const cacheModule = path.resolve(__dirname, '..', '..', '..', 'src', 'sys', 'compile-cache.js');

/** A package of two modules and a driver outside it that loads them with the cache installed. */
function fixture(t: { teardown(fn: () => void): void }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsc-cc-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const root = path.join(dir, 'pkg');
  fs.mkdirSync(path.join(root, 'lib'), { recursive: true });
  fs.writeFileSync(path.join(root, 'lib', 'b.js'), 'exports.answer = () => 42;\n');
  fs.writeFileSync(path.join(root, 'data.json'), '{"n": 7}\n');
  fs.writeFileSync(
    path.join(root, 'a.js'),
    [
      "const b = require('./lib/b');",
      'module.exports = {',
      '  answer: b.answer(),',
      "  json: require('./data.json').n,",
      '  file: __filename,',
      '  dir: __dirname,',
      "  resolved: require.resolve('./lib/b'),",
      '  isThisExports: this === module.exports,',
      '  hasMain: require.main !== undefined,',
      '};',
    ].join('\n'),
  );
  const driver = path.join(dir, 'driver.js');
  fs.writeFileSync(
    driver,
    [
      `const stats = require(${JSON.stringify(cacheModule)}).installCompileCache(${JSON.stringify(root)}, ${JSON.stringify(path.join(dir, 'cache'))}, 'up');`,
      `const a = require(${JSON.stringify(path.join(root, 'a.js'))});`,
      'console.log(JSON.stringify({ a, stats }));',
      'process.exitCode = Number(process.argv[2] || 0);',
    ].join('\n'),
  );
  const run = (code = 0) => {
    const r = spawnSync(process.execPath, [driver, String(code)], { encoding: 'utf8' });
    if (r.status !== code) throw new Error(`driver exited ${r.status}: ${r.stderr}`);
    return JSON.parse(r.stdout) as { a: Record<string, unknown>; stats: { hits: number; misses: number; rejected: number } };
  };
  return { dir, root, run, cacheFiles: () => (fs.existsSync(path.join(dir, 'cache')) ? fs.readdirSync(path.join(dir, 'cache')) : []) };
}

test('modules compiled through the cache behave as Node compiles them', (t) => {
  const f = fixture(t);
  for (const { a } of [f.run(), f.run()]) {
    t.deepEqual(a, {
      answer: 42,
      json: 7,
      file: path.join(f.root, 'a.js'),
      dir: f.root,
      resolved: path.join(f.root, 'lib', 'b.js'),
      isThisExports: true,
      hasMain: true,
    });
  }
});

test('the first run writes the cache, the next compiles from it; a changed file is compiled again and rewritten', (t) => {
  const f = fixture(t);
  t.like(f.run().stats, { hits: 0, misses: 2 });
  t.deepEqual(f.cacheFiles(), [`up-${process.version}.bin`]);
  t.like(f.run().stats, { hits: 2, misses: 0, rejected: 0 });
  fs.writeFileSync(path.join(f.root, 'lib', 'b.js'), 'exports.answer = () => 43;\n');
  const changed = f.run();
  t.is(changed.a.answer, 43, 'never the old code');
  t.is(changed.stats.hits, 1);
  t.is(changed.stats.misses + changed.stats.rejected, 1);
  t.like(f.run().stats, { hits: 2, misses: 0, rejected: 0 });
});

test('a failed run writes no cache; a torn cache file is ignored', (t) => {
  const f = fixture(t);
  f.run(3);
  t.deepEqual(f.cacheFiles(), [], 'nothing after exit code 3');
  f.run();
  const file = path.join(f.dir, 'cache', f.cacheFiles()[0]!);
  fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 40));
  const r = f.run();
  t.is(r.a.answer, 42);
  t.is(r.stats.hits, 0);
});
