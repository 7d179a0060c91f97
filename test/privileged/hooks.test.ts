/** `post_start` and `pre_stop` hooks: run in the container as `exec` runs a command. */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withHost } from '../helpers/host';
import { leftovers, ok, tsc, writeProject } from '../helpers/containers';

test('post_start runs after the start, pre_stop before the stop, with their user, directory, environment and privileges', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: hk
services:
  app:
    init: true
    command: ["sh", "-c", "echo main > /out/main; trap 'echo term >> /out/order; exit 0' TERM; while :; do sleep 0.05; done"]
    volumes: ["./out:/out"]
    environment: {FROM_SERVICE: svc}
    post_start:
      - command: ["sh", "-c", "echo \\"$$FROM_SERVICE $$FROM_HOOK $$(id -u) $$(pwd)\\" > /out/post"]
        user: nobody
        working_dir: /tmp
        environment: {FROM_HOOK: hook}
      - command: sh -c 'grep CapEff /proc/self/status > /out/caps'
        privileged: true
      - command: sh -c 'grep CapEff /proc/self/status > /out/caps-plain'
    pre_stop:
      - command: ["sh", "-c", "echo pre_stop >> /out/order"]
      - command: ["false"]
`,
    );
    const out = path.join(dir, 'out');
    fs.mkdirSync(out, { mode: 0o777 });
    fs.chmodSync(out, 0o777);
    await ok(host, dir, ['up', '-d']);
    t.is(fs.readFileSync(path.join(out, 'post'), 'utf8'), 'svc hook 65534 /tmp\n');
    // Every capability this machine has (its bounding set may lack some).
    const all = /CapBnd:\s+(\S+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]!;
    t.is(fs.readFileSync(path.join(out, 'caps'), 'utf8').split(/\s+/)[1], all, 'privileged: every capability');
    t.not(fs.readFileSync(path.join(out, 'caps-plain'), 'utf8').split(/\s+/)[1], all, 'not privileged: the container’s capabilities');
    t.regex((await ok(host, dir, ['config'])).stdout, /post_start:\n\s+- command:/);

    const stop = await ok(host, dir, ['stop']);
    t.is(fs.readFileSync(path.join(out, 'order'), 'utf8'), 'pre_stop\nterm\n', 'pre_stop ran before the stop signal');
    t.regex(stop.stderr, /pre_stop hook "false" failed \(exit 1\)/, 'a failing pre_stop is reported; the stop goes on');
    await ok(host, dir, ['down']);
    t.deepEqual(await leftovers(host), []);
  });
});

test('a failing post_start fails up, naming the hook; a hook without a command is refused at its line', async (t) => {
  await withHost(t, async (host) => {
    const dir = writeProject(
      host,
      `name: hkf
services:
  app:
    init: true
    command: ["sleep", "infinity"]
    post_start:
      - command: ["sh", "-c", "echo nope >&2; exit 4"]
`,
    );
    const r = await tsc(host, dir, ['up', '-d']);
    t.is(r.code, 1);
    t.regex(r.stderr, /post_start hook "sh -c echo nope >&2; exit 4" failed \(exit 4\): nope/);
    await ok(host, dir, ['down']);
    writeProject(host, `name: hkf\nservices:\n  app:\n    command: ["true"]\n    pre_stop:\n      - user: root\n`);
    const bad = await tsc(host, dir, ['config']);
    t.is(bad.code, 3);
    t.regex(bad.stderr, /compose\.yaml:6:\d+ services\.app\.pre_stop\.0: a hook needs a command/);
    t.deepEqual(await leftovers(host), []);
  });
});
