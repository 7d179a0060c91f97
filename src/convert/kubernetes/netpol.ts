/**
 * Compose's network isolation as NetworkPolicies: as in Docker and
 * tscompose, only services sharing a network reach each other, and an
 * `internal` network has no way out.
 *
 *   default-deny-ingress   every pod of the namespace: no ingress unless a
 *                          policy below allows it
 *   net-<N>                one per compose network: its pods (labelled
 *                          tscompose.io/net-<N>) take ingress from its pods
 *                          (none with enable_icc: false); egress: anywhere,
 *                          or for an internal network only its own pods and
 *                          the cluster DNS. Policies add up, so a pod also on
 *                          a non-internal network keeps its way out, as in Docker.
 *   <service>-published    the published ports' targets, from anywhere (a
 *                          LoadBalancer or NodePort brings outside traffic)
 *   <service>-isolated     network_mode: none: no traffic in or out
 */
import type { Project } from '../../compose/types';
import { dnsLabel, netLabel, projectLabels, SERVICE_LABEL } from './names';
import type { Ctx, K8sObject } from './types';

const DNS_PEER = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};

function policy(ctx: Ctx, project: Project, name: string, spec: Record<string, unknown>): K8sObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: ctx.namespace, labels: projectLabels(project.name) }, spec };
}

export function networkPolicies(project: Project, ctx: Ctx): K8sObject[] {
  const out = [policy(ctx, project, 'default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] })];
  for (const net of Object.values(project.networks)) {
    if (net.driver !== 'bridge') continue;
    const members = { podSelector: { matchLabels: { [netLabel(net.name)]: 'true' } } };
    const egress = net.internal
      ? [{ to: [members] }, { to: [DNS_PEER], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }]
      : [{}];
    out.push(policy(ctx, project, dnsLabel(`net-${net.name}`), {
      podSelector: members.podSelector,
      policyTypes: ['Ingress', 'Egress'],
      ingress: net.icc ? [{ from: [members] }] : [],
      egress,
    }));
    if (!net.icc) ctx.warn('note', `networks.${net.name}.driver_opts.com.docker.network.bridge.enable_icc`, 'its pods do not reach each other (as with enable_icc: false)', `networks.${net.name}`);
  }
  for (const svc of Object.values(project.services)) {
    const name = ctx.serviceName.get(svc.name)!;
    const selector = { matchLabels: { [SERVICE_LABEL]: name } };
    if (svc.networkMode.kind === 'none') {
      out.push(policy(ctx, project, dnsLabel(`${name}-isolated`), { podSelector: selector, policyTypes: ['Ingress', 'Egress'], ingress: [], egress: [] }));
    }
    if (!svc.ports.length || svc.networkMode.kind === 'none') continue;
    const ports: Array<{ protocol: string; port: number; endPort?: number }> = [];
    for (const p of svc.ports) {
      const protocol = p.protocol === 'udp' ? 'UDP' : 'TCP';
      if (!ports.some((x) => x.protocol === protocol && x.port === p.target.start)) ports.push({ protocol, port: p.target.start, ...(p.target.end > p.target.start ? { endPort: p.target.end } : {}) });
    }
    out.push(policy(ctx, project, dnsLabel(`${name}-published`), { podSelector: selector, policyTypes: ['Ingress'], ingress: [{ ports }] }));
  }
  return out;
}
