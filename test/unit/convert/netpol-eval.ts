/**
 * A small evaluator of NetworkPolicies (the semantics of
 * networking.k8s.io/v1, for pods of one namespace): which pod may open any
 * connection to which. Rules limited to ports are left out on purpose: they
 * admit some ports only (published ports), not the pod.
 */
import type { K8sObject } from '../../../src/convert/kubernetes';

type Labels = Record<string, string>;
interface Selector { matchLabels?: Labels; matchExpressions?: unknown[] }
interface Peer { podSelector?: Selector; namespaceSelector?: Selector; ipBlock?: unknown }
interface Rule { from?: Peer[]; to?: Peer[]; ports?: unknown[] }
interface PolicySpec { podSelector: Selector; policyTypes?: string[]; ingress?: Rule[]; egress?: Rule[] }

function matches(sel: Selector, labels: Labels): boolean {
  if (sel.matchExpressions?.length) throw new Error('matchExpressions are not evaluated here');
  return Object.entries(sel.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
}

/** A peer of the same namespace: a podSelector alone (namespaceSelector or ipBlock name other pods or addresses). */
const peerMatches = (p: Peer, labels: Labels) => p.podSelector !== undefined && p.namespaceSelector === undefined && p.ipBlock === undefined && matches(p.podSelector, labels);

function allows(policies: PolicySpec[], pod: Labels, other: Labels, dir: 'Ingress' | 'Egress'): boolean {
  const selecting = policies.filter((p) => matches(p.podSelector, pod) && (p.policyTypes ?? ['Ingress']).includes(dir));
  if (!selecting.length) return true; // not isolated in this direction
  return selecting.some((p) =>
    ((dir === 'Ingress' ? p.ingress : p.egress) ?? []).some((r) => {
      if (r.ports?.length) return false;
      const peers = dir === 'Ingress' ? r.from : r.to;
      return !peers?.length || peers.some((peer) => peerMatches(peer, other));
    }),
  );
}

/** The ordered pairs "a b" of pods (by name) where a may connect to b on any port. */
export function allowedPairs(objects: K8sObject[], pods: Map<string, Labels>): Set<string> {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o['spec'] as PolicySpec);
  const out = new Set<string>();
  for (const [a, la] of pods) {
    for (const [b, lb] of pods) {
      if (a !== b && allows(policies, la, lb, 'Egress') && allows(policies, lb, la, 'Ingress')) out.add(`${a} ${b}`);
    }
  }
  return out;
}
