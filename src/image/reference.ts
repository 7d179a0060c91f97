/**
 * Image references as Docker writes them (`nginx`, `nginx:1.27`,
 * `library/nginx`, `docker.io/…`, `ghcr.io/owner/repo:tag`,
 * `host:port/path@sha256:…`), parsed and normalised the way
 * distribution/reference's ParseNormalizedNamed does: the first component is
 * a registry only when it has a `.` or `:`, is `localhost`, or has an upper
 * case letter; otherwise the image is on Docker Hub (`docker.io`, with
 * `library/` for single names); no tag and no digest means `latest`.
 */

/** A parsed reference. `tag` is set (to `latest` by default) unless only a digest was given. */
export interface ImageRef {
  /** As written by the user. */
  readonly original: string;
  /** Registry name: `docker.io`, `ghcr.io`, `localhost:5000`, `[::1]:5000`. */
  readonly registry: string;
  /** Repository path within the registry: `library/nginx`, `owner/repo`. */
  readonly repository: string;
  readonly tag?: string;
  /** `algorithm:hex` when pinned; the digest wins over the tag when pulling. */
  readonly digest?: string;
}

export const DOCKER_HUB = 'docker.io';
/** Where Docker Hub's API really answers. */
export const DOCKER_HUB_ENDPOINT = 'registry-1.docker.io';

export class ReferenceError extends Error {
  constructor(readonly reference: string, reason: string) {
    super(`invalid image reference "${reference}": ${reason}`);
    this.name = 'ReferenceError';
  }
}

// The grammar of distribution/reference (regexp.go), piece by piece.
const alnum = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alnum}(?:${separator}${alnum})*`;
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const ipv6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainName = `${domainComponent}(?:\\.${domainComponent})*`;
const domain = `(?:${domainName}|${ipv6})(?::[0-9]+)?`;
const DOMAIN = new RegExp(`^${domain}$`);
const PATH = new RegExp(`^${pathComponent}(?:/${pathComponent})*$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const SHA256_HEX = /^[a-f0-9]{64}$/;
const NAME_MAX = 255;

/** Parse and normalise REF; throws ReferenceError saying what is wrong. */
export function parseReference(ref: string): ImageRef {
  const fail = (why: string): never => {
    throw new ReferenceError(ref, why);
  };
  if (ref === '') fail('empty');
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    checkDigest(digest, fail);
  }
  // A tag follows the last ':' that comes after the last '/' (a ':' before it is a port).
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) fail(`invalid tag "${tag}"`);
  }
  const { registry, repository } = splitName(rest, fail);
  if (registry.length + 1 + repository.length > NAME_MAX) fail(`repository name longer than ${NAME_MAX} characters`);
  return { original: ref, registry, repository, ...(tag || !digest ? { tag: tag ?? 'latest' } : {}), ...(digest ? { digest } : {}) };
}

function checkDigest(digest: string, fail: (why: string) => never): void {
  if (!DIGEST.test(digest)) fail(`invalid digest "${digest}"`);
  const [algorithm, hex] = digest.split(':') as [string, string];
  if (algorithm === 'sha256' && !SHA256_HEX.test(hex)) fail(`invalid sha256 digest "${digest}" (64 lowercase hex digits)`);
  if (algorithm === 'sha512' && !/^[a-f0-9]{128}$/.test(hex)) fail(`invalid sha512 digest "${digest}"`);
  if (algorithm !== 'sha256' && algorithm !== 'sha512') fail(`unsupported digest algorithm "${algorithm}"`);
}

function splitName(name: string, fail: (why: string) => never): { registry: string; repository: string } {
  if (name === '') fail('no repository name');
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  const isDomain = slash !== -1 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase());
  let registry = isDomain ? first : DOCKER_HUB;
  let repository = isDomain ? name.slice(slash + 1) : name;
  if (isDomain && !DOMAIN.test(registry)) fail(`invalid registry "${registry}"`);
  if (registry === 'index.docker.io') registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  if (repository !== repository.toLowerCase()) fail('repository name must be lowercase');
  if (!PATH.test(repository)) fail(`invalid repository name "${repository}"`);
  if (registry === DOCKER_HUB && SHA256_HEX.test(repository.replace(/^library\//, ''))) {
    fail('cannot use a 64-character hexadecimal string as a repository name (it looks like an image ID)');
  }
  return { registry, repository };
}

/** Fully qualified: `docker.io/library/nginx:latest`, `host:5000/a/b@sha256:…`. */
export function canonical(ref: ImageRef): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** As Docker prints it: `nginx:latest`, `owner/repo:tag`, `ghcr.io/o/r:tag`. */
export function familiar(ref: ImageRef): string {
  const name =
    ref.registry === DOCKER_HUB ? ref.repository.replace(/^library\/(?=[^/]+$)/, '') : `${ref.registry}/${ref.repository}`;
  return `${name}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** The host (and port) to talk to: Docker Hub's API is not at docker.io. */
export function endpointHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_ENDPOINT : registry;
}

/** What to ask the registry's manifest endpoint for: the digest if pinned, else the tag. */
export function manifestKey(ref: ImageRef): string {
  return ref.digest ?? ref.tag ?? 'latest';
}
