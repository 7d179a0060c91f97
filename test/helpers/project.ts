/**
 * Build normalized projects and observed states for pure planner tests,
 * without the YAML loader: each test states exactly what it starts from.
 */
import type { Observed, ObservedCgroups } from '../../src/plan/model';
import { defaultNetworkSpec } from '../../src/compose/network';
import type { NetworkSpec, Project, ServiceNetwork, ServiceSpec } from '../../src/compose/types';

export function network(name: string, over: Partial<NetworkSpec> = {}): NetworkSpec {
  return { ...defaultNetworkSpec(name), ...over };
}

export function attach(networkName: string, over: Partial<ServiceNetwork> = {}): ServiceNetwork {
  return { network: networkName, aliases: [], gwPriority: 0, priority: 0, ...over };
}

export function service(name: string, over: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    name,
    environment: {},
    networkMode: { kind: 'default' },
    networks: [attach('default')],
    sysctls: {},
    dns: [],
    dnsSearch: [],
    dnsOpt: [],
    extraHosts: [],
    dependsOn: {},
    ports: [],
    scale: 1,
    extensions: {},
    ...over,
  };
}

export function project(name: string, services: ServiceSpec[], networks: NetworkSpec[] = [network('default')]): Project {
  return {
    name,
    workingDir: '/tmp/' + name,
    files: ['/tmp/' + name + '/compose.yaml'],
    services: Object.fromEntries(services.map((s) => [s.name, s])),
    networks: Object.fromEntries(networks.map((n) => [n.name, n])),
    extensions: {},
    sources: new Map(),
  };
}

export function emptyObserved(over: Partial<Observed> = {}): Observed {
  return {
    hostLinks: [{ name: 'lo', index: 1, up: true, addresses: [{ address: '127.0.0.1', prefixLen: 8 }] }],
    hostRoutes: [],
    netns: {},
    containers: {},
    otherProjects: [],
    host: {
      resolvConf: 'nameserver 198.51.100.53\nsearch example.test\n',
      passwd: 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\napp:x:1000:1001::/home/app:/bin/sh\n',
      group: 'root:x:0:\nnogroup:x:65534:\napp:x:1001:\nstaff:x:50:\n',
    },
    ...over,
  };
}

/** The cgroup facts of a host like the test machine: hybrid, 2 CPUs, nofile hard 20000, no CAP_SYS_RESOURCE. */
export function hostCgroupsObserved(over: Partial<ObservedCgroups> = {}): ObservedCgroups {
  return {
    layout: 'hybrid',
    existing: [],
    cpus: [0, 1],
    hardLimits: { nofile: 20000, nproc: 96364, core: -1, stack: -1 },
    sysResource: false,
    oomScoreAdj: 0,
    devices: true,
    ...over,
  };
}
