/**
 * The YAML 1.2 core schema, as go-yaml v3 (Docker Compose) applies it: how a
 * plain scalar resolves (`yes`/`on` stay strings), and the core tags
 * (`!!str`, `!!int`, …) a scalar or collection may carry. Pure.
 */

export const CORE_TAG = 'tag:yaml.org,2002:';

export function coreKind(text: string, v: ReturnType<typeof resolvePlain>): 'null' | 'bool' | 'int' | 'float' | 'str' {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'str';
  return INT_RE.test(text) || OCT_RE.test(text) || HEX_RE.test(text) ? 'int' : 'float';
}

export function normalizeTag(tag: string): string {
  if (tag.startsWith('!!')) return CORE_TAG + tag.slice(2);
  if (tag.startsWith('!<') && tag.endsWith('>')) return tag.slice(2, -1);
  return tag;
}

export function isStringTag(tag: string): boolean {
  const t = normalizeTag(tag);
  return t === '!' || t === `${CORE_TAG}str`;
}

/** `!!merge` (or its long form): the tag of a merge key. */
export function isMergeTag(tag: string): boolean {
  return normalizeTag(tag) === `${CORE_TAG}merge`;
}

const INT_RE = /^[-+]?[0-9]+$/;
const OCT_RE = /^0o[0-7]+$/;
const HEX_RE = /^0x[0-9a-fA-F]+$/;
const FLOAT_RE = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** YAML 1.2 core schema resolution of a plain scalar. */
export function resolvePlain(text: string): string | number | boolean | null {
  if (text.length === 0) return null;
  const c = text.charCodeAt(0);
  // Fast path: most scalars start with a letter that can't begin null/bool/number.
  const maybeSpecial = c === 0x7e /* ~ */ || c === 0x6e || c === 0x4e /* n N */ || c === 0x74 || c === 0x54 /* t T */ || c === 0x66 || c === 0x46 /* f F */ || c === 0x2e /* . */ || c === 0x2b || c === 0x2d /* + - */ || (c >= 0x30 && c <= 0x39);
  if (!maybeSpecial) return text;
  switch (text) {
    case '~':
    case 'null':
    case 'Null':
    case 'NULL':
      return null;
    case 'true':
    case 'True':
    case 'TRUE':
      return true;
    case 'false':
    case 'False':
    case 'FALSE':
      return false;
    case '.inf':
    case '.Inf':
    case '.INF':
    case '+.inf':
    case '+.Inf':
    case '+.INF':
      return Infinity;
    case '-.inf':
    case '-.Inf':
    case '-.INF':
      return -Infinity;
    case '.nan':
    case '.NaN':
    case '.NAN':
      return NaN;
  }
  if (INT_RE.test(text)) return Number(text);
  if (OCT_RE.test(text)) return parseInt(text.slice(2), 8);
  if (HEX_RE.test(text)) return parseInt(text.slice(2), 16);
  if (FLOAT_RE.test(text)) return Number(text);
  return text;
}
