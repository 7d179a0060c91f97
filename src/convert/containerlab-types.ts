/** The part of containerlab's topology file (clab.schema.json) the converter writes. */

export interface ClabNode {
  kind: 'linux' | 'bridge';
  image?: string;
  'network-mode'?: string;
  cmd?: string;
  entrypoint?: string;
  env?: Record<string, string>;
  binds?: string[];
  sysctls?: Record<string, string>;
  user?: string;
  hostname?: string;
  labels?: Record<string, string>;
  'cap-add'?: string[];
  privileged?: boolean;
  tmpfs?: Record<string, string>;
  dns?: { servers?: string[]; search?: string[]; options?: string[] };
  memory?: string;
  cpu?: number;
  'cpu-set'?: string;
  'restart-policy'?: string;
  exec?: string[];
}

export interface ClabLink {
  endpoints: [string, string];
  mtu?: number;
}

export interface ClabTopology {
  name: string;
  /** `links` is left out when there are none: containerlab's schema wants at least one when it is there. */
  topology: { nodes: Record<string, ClabNode>; links?: ClabLink[] };
}
