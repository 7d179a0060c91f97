/**
 * The merged tree → the normalized model (types.ts): top-level keys,
 * each network and service, the implicit `default` network.
 */
import type { SourceLoc } from '../errors';
import type { Issues } from './issues';
import { TOP_LEVEL_KEYS } from './keys';
import { defaultNetworkSpec, normalizeNetwork } from './network';
import { field, Reader, sortedRecord } from './read';
import type { Field } from './read';
import { normalizeService } from './service';
import type { ServiceContext } from './service';
import type { YMap } from './tree';
import type { NetworkSpec, ProjectFileSource, ServiceSpec, VolumeSpec } from './types';
import { projectFile } from './secrets';
import { normalizeVolume } from './volumes';
import { SHARED_NETWORK, sharedNetworkSpec, usesSharedBridge } from './shared-bridge';

export interface NormalizedModel {
  /** Top-level `name:` if written (interpolated, not yet validated). */
  name?: { value: string; loc: SourceLoc };
  networks: Record<string, NetworkSpec>;
  services: Record<string, ServiceSpec>;
  volumes?: Record<string, VolumeSpec>;
  extensions: Record<string, unknown>;
}

export function normalizeModel(root: YMap, ctx: Omit<ServiceContext, 'reader'> & { issues: Issues }): NormalizedModel {
  const r = new Reader(ctx.issues);
  const model: NormalizedModel = { networks: {}, services: {}, extensions: {} };
  const keys = r.keys(root, '', TOP_LEVEL_KEYS, model.extensions);
  model.extensions = sortedRecord(Object.entries(model.extensions));

  const version = keys.get('version');
  if (version) {
    r.string(version);
    r.issues.warn(version.path, 'the attribute "version" is obsolete and ignored; remove it', version.loc);
  }
  const nameField = keys.get('name');
  if (nameField) {
    const v = r.string(nameField);
    if (v !== undefined) model.name = { value: v, loc: nameField.loc };
  }

  const networks: Array<[string, NetworkSpec]> = [];
  const networkFields = new Map<string, Field>();
  for (const [name, f] of entriesOf(keys.get('networks'), r)) {
    networkFields.set(name, f);
    const spec = normalizeNetwork(name, f, r);
    if (spec) networks.push([name, spec]);
  }
  const volumes: Array<[string, VolumeSpec]> = [];
  for (const [name, f] of entriesOf(keys.get('volumes'), r)) {
    const spec = normalizeVolume(name, f, r);
    if (spec) volumes.push([name, spec]);
  }
  if (volumes.length) model.volumes = sortedRecord(volumes);
  const declaredFiles = { secrets: new Map<string, ProjectFileSource | undefined>(), configs: new Map<string, ProjectFileSource | undefined>() };
  for (const kind of ['secrets', 'configs'] as const) {
    for (const [name, f] of entriesOf(keys.get(kind), r)) declaredFiles[kind].set(name, projectFile(kind, name, f, { ...ctx, reader: r }));
  }
  const services: Array<[string, ServiceSpec]> = [];
  const sctx: ServiceContext = { ...ctx, reader: r, declaredVolumes: new Set(volumes.map(([n]) => n)), declaredFiles };
  for (const [name, f] of entriesOf(keys.get('services'), r)) {
    const spec = normalizeService(name, f, sctx);
    if (spec) services.push([name, spec]);
  }

  // As Compose: `default` exists when a service uses it, unless the file declares it.
  const usesDefault = services.some(([, s]) => s.networks.some((a) => a.network === 'default'));
  if (usesDefault && !networks.some(([n]) => n === 'default')) networks.push(['default', implicitDefaultNetwork()]);

  // One network per project is the default bridge: the external one named "bridge", if the file has one.
  const sharedKeys = networks.filter(([, n]) => n.shared).map(([k]) => k);
  for (const k of sharedKeys.slice(1)) r.error(networkFields.get(k)!, `network ${sharedKeys[0]} already is the default bridge (external, named "bridge"); use that one`);
  const onShared = usesSharedBridge(services);
  if (onShared.length && sharedKeys.length) for (const [, s] of onShared) s.networks = [{ ...s.networks[0]!, network: sharedKeys[0]! }];
  else if (onShared.length) {
    const own = networkFields.get(SHARED_NETWORK);
    if (own) r.error(own, `the name "${SHARED_NETWORK}" is the default bridge that network_mode: bridge (service ${onShared[0]![0]}) joins; give this network another name`);
    else networks.push([SHARED_NETWORK, sharedNetworkSpec()]);
  }
  model.networks = sortedRecord(networks);
  model.services = sortedRecord(services);
  return model;
}

function entriesOf(f: Field | undefined, r: Reader): Array<[string, Field]> {
  if (!f) return [];
  const map = r.map(f);
  if (!map) return [];
  return [...map.entries.values()].map((e) => [e.key, field(f.path, e)]);
}

export function implicitDefaultNetwork(): NetworkSpec {
  return defaultNetworkSpec('default');
}
