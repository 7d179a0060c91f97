/**
 * WWW-Authenticate challenges (RFC 7235) as registries send them:
 *   Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/nginx:pull"
 *   Basic realm="Registry Realm"
 */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parse one header value into its challenges (scheme lower-cased, parameter names lower-cased). */
export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = [];
  const re = /\s*([A-Za-z][\w.-]*)\s*(?:=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*)))?\s*,?/y;
  let current: Challenge | undefined;
  re.lastIndex = 0;
  while (re.lastIndex < header.length) {
    const start = re.lastIndex;
    const m = re.exec(header);
    if (!m || re.lastIndex === start) break;
    const [, token, quoted, bare] = m;
    if (quoted === undefined && bare === undefined) {
      current = { scheme: token!.toLowerCase(), params: {} };
      out.push(current);
    } else if (current) {
      current.params[token!.toLowerCase()] = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : bare!;
    }
  }
  return out;
}
