import test from 'ava';
import { formatBytes, formatCpuList, parseBytes, parseCpuList, parseNanoCpus } from '../../../src/compose/resources';
import { renderConfig } from '../../../src/compose/render';
import { hasIssue, issues, lines, load, yaml } from './helpers';

test('memory units are Docker\'s: binary, case-insensitive, with an optional b/ib', (t) => {
  t.is(parseBytes('512m'), 512 * 1024 ** 2);
  t.is(parseBytes('512M'), 512 * 1024 ** 2);
  t.is(parseBytes('1.5g'), 1.5 * 1024 ** 3);
  t.is(parseBytes('0.5GB'), 512 * 1024 ** 2);
  t.is(parseBytes('100MiB'), 100 * 1024 ** 2);
  t.is(parseBytes('64 k'), 64 * 1024);
  t.is(parseBytes('2048'), 2048);
  t.is(parseBytes('2048b'), 2048);
  t.is(parseBytes('1t'), 1024 ** 4);
  for (const bad of ['', 'm', '-1', '1x', '1.2.3m', '1 0m', 'lots']) t.is(parseBytes(bad), undefined, bad);
  t.is(formatBytes(536870912), '512MiB');
  t.is(formatBytes(1.5 * 1024 ** 3), '1.5GiB');
  t.is(formatBytes(100), '100B');
});

test('CPU counts are decimals with at most 9 places (NanoCPUs)', (t) => {
  t.is(parseNanoCpus('1.5'), 1_500_000_000);
  t.is(parseNanoCpus('0.01'), 10_000_000);
  t.is(parseNanoCpus('.5'), 500_000_000);
  t.is(parseNanoCpus('2'), 2_000_000_000);
  t.is(parseNanoCpus('0.123456789'), 123_456_789);
  t.is(parseNanoCpus('0.1234567891'), 'too precise');
  for (const bad of ['', '.', '-1', '1,5', 'one']) t.is(parseNanoCpus(bad), undefined, bad);
});

test('cpusets are lists of CPUs and ranges, normalized', (t) => {
  t.deepEqual(parseCpuList('0-2,5'), [0, 1, 2, 5]);
  t.deepEqual(parseCpuList('3,1,1-2'), [1, 2, 3]);
  t.is(formatCpuList([0, 1, 2, 5, 7, 8]), '0-2,5,7-8');
  for (const bad of ['', 'a', '1-', '2-1', '1,,2', ' 1']) t.is(parseCpuList(bad), undefined, bad);
});

test('every resource key, in Docker units', (t) => {
  const p = load(yaml`
    services:
      web:
        cpus: "1.5"
        cpu_shares: 512
        cpuset: 1,0
        mem_limit: 512m
        mem_reservation: 128m
        memswap_limit: 1g
        pids_limit: 100
        oom_score_adj: -200
        blkio_config:
          weight: 300
        ulimits:
          nofile: {soft: 1024, hard: 2048}
          nproc: 512
          core: -1
        cgroup_parent: /lab.slice/ci/
      quota:
        cpu_quota: 25000
        cpu_period: "50000"
        memswap_limit: -1
        mem_limit: 6m
      plain: {}
  `);
  t.deepEqual(p.services.web!.resources, {
    nanoCpus: 1_500_000_000,
    cpuShares: 512,
    cpuset: '0-1',
    memory: 512 * 1024 ** 2,
    memoryReservation: 128 * 1024 ** 2,
    memorySwap: 1024 ** 3,
    pids: 100,
    oomScoreAdj: -200,
    blkioWeight: 300,
    ulimits: { core: { soft: -1, hard: -1 }, nofile: { soft: 1024, hard: 2048 }, nproc: { soft: 512, hard: 512 } },
    cgroupParent: 'lab.slice/ci',
  });
  t.deepEqual(p.services.quota!.resources, { cpuQuota: 25000, cpuPeriod: 50000, memory: 6 * 1024 ** 2, memorySwap: -1, ulimits: {} });
  t.is(p.services.plain!.resources, undefined, 'no resource key: no resources');
});

test('deploy.resources gives the same limits; reservations.cpus is a relative weight (× 1024 shares)', (t) => {
  const p = load(yaml`
    services:
      a:
        deploy:
          resources:
            limits: {cpus: 0.5, memory: 256m, pids: 64}
            reservations: {cpus: "0.25", memory: 64m}
      b:
        cpus: 0.5
        mem_limit: 268435456
        pids_limit: 64
        cpu_shares: 256
        mem_reservation: 64m
        deploy:
          resources:
            limits: {cpus: "0.50", memory: 256M, pids: "64"}
            reservations: {cpus: 0.25, memory: 67108864b}
  `);
  const expected = { nanoCpus: 500_000_000, memory: 256 * 1024 ** 2, pids: 64, cpuShares: 256, memoryReservation: 64 * 1024 ** 2, ulimits: {} };
  t.deepEqual(p.services.a!.resources, expected);
  t.deepEqual(p.services.b!.resources, expected, 'equal values in both places are fine');
});

test('unset and "unlimited" values are absent; 0 means unset, as in Docker', (t) => {
  const p = load('services:\n  a: {cpus: 0, pids_limit: -1, cpu_quota: -1, mem_limit: 0, blkio_config: {weight: 0}, cgroup_parent: ""}\n');
  t.deepEqual(p.services.a!.resources, { ulimits: {} });
});

test('conflicting values are errors at the second key, with file:line', (t) => {
  const list = issues(t, yaml`
    services:
      a:
        cpus: 1
        mem_limit: 1g
        pids_limit: 10
        cpu_shares: 100
        mem_reservation: 10m
        deploy:
          resources:
            limits: {cpus: 2, memory: 2g, pids: 20}
            reservations: {cpus: 1, memory: 20m}
  `);
  t.deepEqual(lines(list), [
    "compose.yaml:10:18 services.a.deploy.resources.limits.cpus: can't set distinct values on 'cpus' and 'deploy.resources.limits.cpus' (1 and 2); set only one",
    "compose.yaml:10:27 services.a.deploy.resources.limits.memory: can't set distinct values on 'mem_limit' and 'deploy.resources.limits.memory' (1GiB and 2GiB); set only one",
    "compose.yaml:10:39 services.a.deploy.resources.limits.pids: can't set distinct values on 'pids_limit' and 'deploy.resources.limits.pids' (10 and 20); set only one",
    "compose.yaml:11:24 services.a.deploy.resources.reservations.cpus: can't set distinct values on 'cpu_shares' and 'deploy.resources.reservations.cpus' (× 1024) (100 and 1024); set only one",
    "compose.yaml:11:33 services.a.deploy.resources.reservations.memory: can't set distinct values on 'mem_reservation' and 'deploy.resources.reservations.memory' (10MiB and 20MiB); set only one",
  ]);
});

test('impossible values are errors at their key', (t) => {
  const list = issues(t, yaml`
    services:
      small:
        mem_limit: 4m
      reserve:
        mem_limit: 64m
        mem_reservation: 128m
      swap:
        mem_limit: 64m
        memswap_limit: 32m
      swaponly:
        memswap_limit: 1g
      quota:
        cpu_quota: 500
        cpu_period: 2000000
      both:
        cpus: 0.5
        cpu_quota: 50000
      tiny:
        cpus: 0.001
      precise:
        cpus: 0.0000000001
      weight:
        blkio_config: {weight: 5}
      oom:
        oom_score_adj: "1001"
      ulim:
        ulimits: {nofile: {soft: 10, hard: 5}, files: 10, nproc: {soft: 1}}
      parent:
        cgroup_parent: a/../b
      units:
        mem_limit: 12 parsecs
        cpus: lots
        cpuset: 0-a
      pids:
        pids_limit: -5
  `);
  hasIssue(t, list, 'compose.yaml:3:5', 'services.small.mem_limit', 'memory limit 4MiB is below the minimum of 6MiB');
  hasIssue(t, list, 'compose.yaml:6:5', 'services.reserve.mem_reservation', 'memory reservation 128MiB is above the memory limit 64MiB');
  hasIssue(t, list, 'compose.yaml:9:5', 'services.swap.memswap_limit', 'memswap_limit 32MiB is below the memory limit 64MiB');
  hasIssue(t, list, 'compose.yaml:11:5', 'services.swaponly.memswap_limit', 'memswap_limit needs a memory limit');
  hasIssue(t, list, 'compose.yaml:13:5', 'services.quota.cpu_quota', 'below 1ms (1000)');
  hasIssue(t, list, 'compose.yaml:14:5', 'services.quota.cpu_period', 'at most 1s (1000000)');
  hasIssue(t, list, 'compose.yaml:17:5', 'services.both.cpu_quota', 'conflicts with cpus');
  hasIssue(t, list, 'compose.yaml:19:5', 'services.tiny.cpus', 'below the minimum of 0.01');
  hasIssue(t, list, 'compose.yaml:21:5', 'services.precise.cpus', 'too precise');
  hasIssue(t, list, 'compose.yaml:23:20', 'services.weight.blkio_config.weight', 'out of range (10 to 1000)');
  hasIssue(t, list, 'compose.yaml:25:5', 'services.oom.oom_score_adj', 'out of range');
  hasIssue(t, list, 'compose.yaml:27:15', 'services.ulim.ulimits.nofile', 'the soft limit (10) is above the hard limit (5)');
  hasIssue(t, list, 'compose.yaml:27:44', 'services.ulim.ulimits.files', 'unknown ulimit "files"');
  hasIssue(t, list, 'compose.yaml:27:55', 'services.ulim.ulimits.nproc', 'needs both soft and hard');
  hasIssue(t, list, 'compose.yaml:29:5', 'services.parent.cgroup_parent', 'not a cgroup path');
  hasIssue(t, list, 'compose.yaml:31:5', 'services.units.mem_limit', 'is not an amount of memory');
  hasIssue(t, list, 'compose.yaml:32:5', 'services.units.cpus', 'is not a number of CPUs');
  hasIssue(t, list, 'compose.yaml:33:5', 'services.units.cpuset', 'is not a list of CPUs');
  hasIssue(t, list, 'compose.yaml:35:5', 'services.pids.pids_limit', 'out of range');
});

test('CPU shares outside the kernel range are adjusted with a warning, as Docker does', (t) => {
  const p = load('services:\n  a: {cpu_shares: 1}\n  b: {cpu_shares: 300000}\n');
  t.is(p.services.a!.resources!.cpuShares, 2);
  t.is(p.services.b!.resources!.cpuShares, 262144);
  t.deepEqual(
    (p.warnings ?? []).map((w) => w.message),
    ['CPU shares 1 adjusted to 2 (the kernel allows 2 to 262144)', 'CPU shares 300000 adjusted to 262144 (the kernel allows 2 to 262144)'],
  );
});

test('not yet supported: device limits and reservations', (t) => {
  const list = issues(t, 'services:\n  a:\n    blkio_config: {weight_device: []}\n    deploy: {resources: {reservations: {generic_resources: []}}}\n');
  t.deepEqual(lines(list), [
    'compose.yaml:3:20 services.a.blkio_config.weight_device: weight_device is not supported yet',
    'compose.yaml:4:41 services.a.deploy.resources.reservations.generic_resources: generic_resources is not supported yet',
  ]);
});

test('config prints the resource keys, and loading its output gives the same resources', (t) => {
  const p = load(yaml`
    services:
      web:
        cpus: 0.5
        mem_limit: 512m
        pids_limit: 100
        ulimits: {nofile: 1024}
        deploy: {resources: {reservations: {cpus: 0.5, memory: 64m}}}
        cgroup_parent: lab
  `);
  const text = renderConfig(p);
  t.true(text.includes('mem_limit: 536870912\n'), text);
  t.true(text.includes('cpu_shares: 512\n'), text);
  const again = load(text);
  t.deepEqual(again.services.web!.resources, p.services.web!.resources);
});
