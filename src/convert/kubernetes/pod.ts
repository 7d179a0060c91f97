/**
 * A service as a Deployment: `scale`/`deploy.replicas` replicas of a pod
 * with the service's container, its init containers (depends_on), volumes,
 * and the pod-level settings (hostname, dns, extra_hosts, safe sysctls,
 * stop_grace_period, network_mode: host). Pods are labelled with the
 * service and with each compose network they are on: the NetworkPolicies
 * select on those labels.
 */
import type { Project, ServiceSpec } from '../../compose/types';
import { mainContainer } from './container';
import { initContainers } from './init';
import { dnsLabel, netLabel, projectLabels, SERVICE_LABEL } from './names';
import type { Ctx, K8sObject } from './types';
import { podVolumes } from './volumes';

/** Sysctls the kubelet allows without `--allowed-unsafe-sysctls` (Kubernetes 1.32). */
export const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes', 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem',
]);

export function podLabels(project: Project, svc: ServiceSpec, ctx: Ctx): Record<string, string> {
  const labels: Record<string, string> = { ...projectLabels(project.name), [SERVICE_LABEL]: ctx.serviceName.get(svc.name)! };
  // network_mode: service:X shares X's network namespace in Compose: it gets X's networks here.
  const mode = svc.networkMode;
  const attached = mode.kind === 'service' ? (project.services[mode.service]?.networks ?? []) : svc.networks;
  for (const att of attached) if (project.networks[att.network]?.driver === 'bridge') labels[netLabel(att.network)] = 'true';
  return labels;
}

export function deployment(project: Project, svc: ServiceSpec, ctx: Ctx): K8sObject {
  const name = ctx.serviceName.get(svc.name)!;
  const { volumes, mounts } = podVolumes(project, svc, ctx);
  const init = initContainers(project, svc, ctx);
  const pod: Record<string, unknown> = {
    ...(init.length ? { initContainers: init } : {}),
    containers: [mainContainer(name, svc, ctx, mounts)],
    restartPolicy: 'Always',
    ...podSettings(svc, ctx),
    ...(volumes.length ? { volumes } : {}),
  };
  const annotations = { ...svc.labels, ...svc.annotations };
  const labels = podLabels(project, svc, ctx);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ctx.namespace, labels: { ...projectLabels(project.name), [SERVICE_LABEL]: name } },
    spec: {
      replicas: svc.scale,
      selector: { matchLabels: { [SERVICE_LABEL]: name } },
      template: { metadata: { labels, ...(Object.keys(annotations).length ? { annotations } : {}) }, spec: pod },
    },
  };
}

function podSettings(svc: ServiceSpec, ctx: Ctx): Record<string, unknown> {
  const base = `services.${svc.name}`;
  const out: Record<string, unknown> = {};
  if (svc.hostname !== undefined) {
    const h = dnsLabel(svc.hostname);
    out['hostname'] = h;
    if (h !== svc.hostname) ctx.warn('note', `${base}.hostname`, `the pod's hostname is ${h} (a DNS label)`);
  }
  if (svc.networkMode.kind === 'host') {
    out['hostNetwork'] = true;
    // Without it a host-network pod resolves with the node's resolv.conf: no service names.
    out['dnsPolicy'] = 'ClusterFirstWithHostNet';
    ctx.warn('note', `${base}.network_mode`, "the pod uses its node's network (hostNetwork): NetworkPolicies do not apply to it");
  }
  const sysctls = Object.entries(svc.sysctls).filter(([k]) => SAFE_SYSCTLS.has(k));
  const psc: Record<string, unknown> = {};
  if (sysctls.length) psc['sysctls'] = sysctls.map(([name, value]) => ({ name, value }));
  if (Object.keys(psc).length) out['securityContext'] = psc;
  const dnsConfig = {
    ...(svc.dns.length ? { nameservers: [...svc.dns] } : {}),
    ...(svc.dnsSearch.length ? { searches: [...svc.dnsSearch] } : {}),
    ...(svc.dnsOpt.length ? { options: svc.dnsOpt.map((o) => { const [n, v] = o.split(':'); return { name: n!, ...(v !== undefined ? { value: v } : {}) }; }) } : {}),
  };
  if (Object.keys(dnsConfig).length) {
    out['dnsConfig'] = dnsConfig;
    if (svc.dns.length) ctx.warn('note', `${base}.dns`, 'the servers are added after the cluster DNS (dnsPolicy ClusterFirst), so service names still resolve', base);
  }
  const hosts = new Map<string, string[]>();
  for (const h of svc.extraHosts) {
    if (h.ip === 'host-gateway') ctx.warn('unmapped', `${base}.extra_hosts`, `${h.host}:host-gateway has no pod equivalent (the node's address is not known here)`, base);
    else hosts.set(h.ip, [...(hosts.get(h.ip) ?? []), h.host]);
  }
  if (hosts.size) out['hostAliases'] = [...hosts].map(([ip, hostnames]) => ({ ip, hostnames }));
  const platform = svc.image?.platform?.split('/');
  if (platform) {
    out['nodeSelector'] = { 'kubernetes.io/os': platform[0]!, ...(platform[1] ? { 'kubernetes.io/arch': platform[1] } : {}) };
    if (platform[2]) ctx.warn('unmapped', `${base}.platform`, `the variant ${platform[2]} has no node label: any ${platform[1]} node is chosen`, base);
  }
  if (svc.stopGracePeriodSec !== undefined) out['terminationGracePeriodSeconds'] = Math.ceil(svc.stopGracePeriodSec);
  return out;
}
