/**
 * Per compose service, the Services that give its pods a name:
 *
 *   <service>            ClusterIP with the container ports of `expose` and
 *                        `ports` (so `db:5432` works as in Compose); with no
 *                        port known, headless (clusterIP: None): the name
 *                        resolves to the pods, every port reachable, as Compose's
 *   <alias>              network `aliases`: one more Service each, the same
 *                        selector and ports (not ExternalName: that is a CNAME
 *                        to a name that depends on the cluster domain)
 *   <service>-published  the published `ports` as LoadBalancer (or NodePort,
 *                        `--publish-as`): port = the host port
 */
import type { PortProtocol, ServiceSpec } from '../../compose/types';
import { dnsLabel, projectLabels, SERVICE_LABEL } from './names';
import type { Ctx, K8sObject } from './types';

/** At most this many ports from one range (a Service lists each port). */
const MAX_RANGE = 100;

interface Port {
  port: number;
  targetPort: number;
  protocol: 'TCP' | 'UDP';
  nodePort?: number;
}

const proto = (p: PortProtocol | string): 'TCP' | 'UDP' => (p === 'udp' ? 'UDP' : 'TCP');

/** The container ports a service is known to listen on: `expose` then the targets of `ports`, once each. */
export function containerPorts(svc: ServiceSpec, ctx: Ctx): Port[] {
  const out: Port[] = [];
  const push = (port: number, protocol: Port['protocol']) => {
    if (!out.some((p) => p.port === port && p.protocol === protocol)) out.push({ port, targetPort: port, protocol });
  };
  const range = (start: number, end: number, protocol: Port['protocol'], path: string) => {
    if (end - start + 1 > MAX_RANGE) ctx.warn('unmapped', path, `the range ${start}-${end} has more than ${MAX_RANGE} ports: only ${start}-${start + MAX_RANGE - 1} are listed on the Service`, `services.${svc.name}`);
    for (let p = start; p <= Math.min(end, start + MAX_RANGE - 1); p++) push(p, protocol);
  };
  for (const e of svc.expose ?? []) {
    const m = /^(\d+)(?:-(\d+))?(?:\/(\w+))?$/.exec(e);
    if (m) range(Number(m[1]), Number(m[2] ?? m[1]), proto(m[3] ?? 'tcp'), `services.${svc.name}.expose`);
  }
  for (const p of svc.ports) range(p.target.start, p.target.end, proto(p.protocol), `services.${svc.name}.ports`);
  return out;
}

const portName = (p: Port) => `${p.protocol.toLowerCase()}-${p.port}`;
const specPorts = (ports: Port[]) => ports.map((p) => ({ name: portName(p), port: p.port, targetPort: p.targetPort, protocol: p.protocol, ...(p.nodePort ? { nodePort: p.nodePort } : {}) }));

function service(ctx: Ctx, project: string, name: string, selector: string, ports: Port[], type?: string): K8sObject {
  const spec = ports.length
    ? { ...(type ? { type } : {}), selector: { [SERVICE_LABEL]: selector }, ports: specPorts(ports) }
    : { clusterIP: 'None', selector: { [SERVICE_LABEL]: selector } };
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ctx.namespace, labels: { ...projectLabels(project), [SERVICE_LABEL]: selector } }, spec };
}

export function services(project: string, svc: ServiceSpec, ctx: Ctx): K8sObject[] {
  const name = ctx.serviceName.get(svc.name)!;
  const ports = containerPorts(svc, ctx);
  const out = [service(ctx, project, name, name, ports)];
  const aliases = new Set<string>();
  for (const att of svc.networks) for (const a of att.aliases) aliases.add(a);
  for (const alias of aliases) {
    const k8s = dnsLabel(alias);
    if (k8s === name) continue;
    if ([...ctx.serviceName.values()].includes(k8s)) {
      ctx.warn('unmapped', `services.${svc.name}.networks`, `alias ${alias} is the name of another service, whose Service it stays: no Service ${k8s} for ${svc.name}`, `services.${svc.name}`);
      continue;
    }
    if (k8s !== alias) ctx.warn('note', `services.${svc.name}.networks`, `alias ${alias} is the Service ${k8s} (a DNS label)`, `services.${svc.name}`);
    out.push(service(ctx, project, k8s, name, ports));
  }
  if (aliases.size) {
    ctx.warn('note', `services.${svc.name}.networks`, `aliases ${[...aliases].join(', ')} are Services of their own: the names resolve in the whole namespace, not only on the network that gives them (NetworkPolicies still decide who gets through)`, `services.${svc.name}`);
  }
  const published = publishedPorts(svc, ctx);
  if (published.length) out.push(service(ctx, project, dnsLabel(`${name}-published`), name, published, ctx.options.publishAs ?? 'LoadBalancer'));
  return out;
}

function publishedPorts(svc: ServiceSpec, ctx: Ctx): Port[] {
  const out: Port[] = [];
  const nodePort = ctx.options.publishAs === 'NodePort';
  svc.ports.forEach((p, i) => {
    const path = `services.${svc.name}.ports.${i}`;
    if (p.hostIp !== undefined) ctx.warn('unmapped', path, `the host address ${p.hostIp} has no Service equivalent: the port is published on every address`, `services.${svc.name}.ports`);
    const count = Math.min(p.target.end - p.target.start + 1, MAX_RANGE);
    for (let k = 0; k < count; k++) {
      const target = p.target.start + k;
      const host = p.published ? p.published.start + k : undefined;
      const port: Port = { port: host ?? target, targetPort: target, protocol: proto(p.protocol) };
      if (nodePort && host !== undefined) {
        // The default NodePort range; elsewhere the cluster picks one.
        if (host >= 30000 && host <= 32767) port.nodePort = host;
        else if (k === 0) ctx.warn('note', path, `host port ${host} is outside the NodePort range 30000-32767: the cluster picks the node port (kubectl get service ${dnsLabel(`${ctx.serviceName.get(svc.name)}-published`)})`, `services.${svc.name}.ports`);
      }
      if (!out.some((o) => o.port === port.port && o.protocol === port.protocol)) out.push(port);
    }
  });
  return out;
}
