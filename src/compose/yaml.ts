/**
 * YAML text → located tree (tree.ts), with the guards an untrusted compose
 * file needs: size, depth, alias count and expansion (alias bombs), duplicate
 * keys, non-string keys, prototype-polluting keys, multi-document files.
 *
 * js-yaml's `parseEvents` gives a flat event stream with source offsets; we
 * build the tree ourselves so every node keeps its line:col. Plain scalars
 * resolve with the YAML 1.2 core schema (yaml-core.ts), as go-yaml v3 (Docker Compose) does:
 * `yes`/`on` stay strings. Merge keys (`<<`) follow the YAML merge spec:
 * explicit keys win, then earlier merge sources.
 */
import { EVENT_ID, SCALAR_STYLE, getScalarValue, parseEvents } from 'js-yaml';
import type { Event, ScalarEvent } from 'js-yaml';
import type { SourceLoc } from '../errors';
import type { Issues } from './issues';
import { childPath } from './tree';
import { CORE_TAG, coreKind, isMergeTag, isStringTag, normalizeTag, resolvePlain } from './yaml-core';
import type { YEntry, YMap, YNode, YScalar, YTag } from './tree';

export interface YamlLimits {
  /** Largest accepted file, in UTF-8 bytes. */
  maxBytes: number;
  /** Deepest collection nesting. */
  maxDepth: number;
  /** Most alias (`*ref`) uses in one file. */
  maxAliases: number;
  /** Most nodes the document may expand to once aliases and merges are followed. */
  maxNodes: number;
}

export const DEFAULT_LIMITS: Readonly<YamlLimits> = {
  maxBytes: 8 * 1024 * 1024,
  maxDepth: 64,
  maxAliases: 10_000,
  maxNodes: 1_000_000,
};

/** Keys that would reach Object.prototype if a consumer used plain objects carelessly. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Maps source offsets to 1-based line:col. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(
    text: string,
    readonly file: string,
  ) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  /** Line index of the last lookup: the composer asks in increasing order, so scanning forward is O(1). */
  private cursor = 0;
  loc(offset: number): SourceLoc {
    const starts = this.starts;
    let c = this.cursor;
    if (starts[c]! <= offset) {
      // Total forward movement over a whole parse is bounded by the line count.
      while (c + 1 < starts.length && starts[c + 1]! <= offset) c++;
      this.cursor = c;
      return { file: this.file, line: c + 1, col: offset - starts[c]! + 1 };
    }
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file: this.file, line: lo + 1, col: offset - this.starts[lo]! + 1 };
  }
}

export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** True when the UTF-8 encoding of `text` is longer than `max` bytes (a UTF-16 unit is at most 3 bytes). */
export function exceedsBytes(text: string, max: number): boolean {
  if (text.length * 3 <= max) return false;
  return text.length > max || utf8Length(text) > max;
}

/** Too big to continue: unwinds the composer. */
class Abort extends Error {}

/**
 * Parses one compose file. Returns its top-level mapping, or undefined when
 * the file cannot be used at all (the reasons are in `issues`).
 */
export function parseYamlFile(
  text: string,
  file: string,
  issues: Issues,
  limits: YamlLimits = DEFAULT_LIMITS,
): YMap | undefined {
  const top: SourceLoc = { file, line: 1, col: 1 };
  if (exceedsBytes(text, limits.maxBytes)) {
    issues.error('', `file is larger than the ${formatSize(limits.maxBytes)} limit`, top);
    return undefined;
  }
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = new LineIndex(src, file);
  let events: Event[];
  try {
    events = parseEvents(src, { filename: file, maxDepth: limits.maxDepth });
  } catch (err) {
    const e = err as { reason?: string; mark?: { line: number; column: number }; message?: string };
    const loc = e.mark ? { file, line: e.mark.line + 1, col: e.mark.column + 1 } : top;
    issues.error('', `YAML syntax error: ${e.reason ?? e.message ?? String(err)}`, loc);
    return undefined;
  }
  const docs = events.filter((e) => e.type === EVENT_ID.DOCUMENT).length;
  if (docs === 0) {
    issues.error('', 'the file is empty; a compose file is a mapping with `services:` and/or `networks:`', top);
    return undefined;
  }
  if (docs > 1) {
    issues.error('', 'the file holds several YAML documents (`---`); put each in its own file and pass them with -f', secondDocLoc(events, lines) ?? top);
    return undefined;
  }
  const composer = new Composer(events, src, lines, issues, limits);
  let root: YNode | undefined;
  try {
    root = composer.document();
  } catch (err) {
    if (err instanceof Abort) {
      issues.error('', err.message, top);
      return undefined;
    }
    throw err;
  }
  if (root === undefined || (root.kind === 'scalar' && root.value === null)) {
    issues.error('', 'the file is empty; a compose file is a mapping with `services:` and/or `networks:`', top);
    return undefined;
  }
  if (root.kind !== 'map') {
    issues.error('', `the top level of a compose file must be a mapping, not ${root.kind === 'seq' ? 'a list' : 'a scalar'}`, root.loc);
    return undefined;
  }
  return root;
}

function formatSize(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MiB` : `${bytes} bytes`;
}

function secondDocLoc(events: Event[], lines: LineIndex): SourceLoc | undefined {
  let docs = 0;
  for (const e of events) {
    if (e.type === EVENT_ID.DOCUMENT) docs++;
    else if (docs === 2) {
      const off = eventOffset(e);
      if (off >= 0) return lines.loc(off);
    }
  }
  return undefined;
}

function eventOffset(e: Event): number {
  switch (e.type) {
    case EVENT_ID.SCALAR:
      return e.valueStart;
    case EVENT_ID.MAPPING:
    case EVENT_ID.SEQUENCE:
      return e.start;
    case EVENT_ID.ALIAS:
      return e.anchorStart - 1;
    default:
      return -1;
  }
}

/**
 * Events → tree. Expansion is accounted for with one running count: every
 * node composed adds one, every alias adds the full size of what it names
 * (measured when its anchor was composed). Merge keys need no extra count:
 * what they copy arrived through an alias or was composed in place.
 */
class Composer {
  private i = 0;
  private aliases = 0;
  private total = 0;
  private readonly anchors = new Map<string, { node: YNode; size: number; height: number }>();
  /** Height of the node composed last (aliases can stack nesting beyond what the parser saw). */
  private height = 0;
  /** Path of the node being composed, joined only when an issue needs it. */
  private readonly segs: string[] = [];

  constructor(
    private readonly events: Event[],
    private readonly src: string,
    private readonly lines: LineIndex,
    private readonly issues: Issues,
    private readonly limits: YamlLimits,
  ) {}

  document(): YNode | undefined {
    // events[0] is the DOCUMENT event; its content (if any) follows.
    this.i = 1;
    if (this.i >= this.events.length || this.events[this.i]!.type === EVENT_ID.POP) return undefined;
    return this.node({ file: this.lines.file, line: 1, col: 1 });
  }

  private path(extra?: string): string {
    const p = this.segs.join('.');
    return extra === undefined ? p : childPath(p, extra);
  }

  private node(fallback: SourceLoc): YNode {
    const ev = this.events[this.i++]!;
    const before = this.total++;
    if (this.total > this.limits.maxNodes) throw this.tooBig();
    let node: YNode;
    switch (ev.type) {
      case EVENT_ID.SCALAR:
        node = this.scalar(ev, fallback);
        this.height = 0;
        break;
      case EVENT_ID.ALIAS: {
        const name = this.src.slice(ev.anchorStart, ev.anchorEnd);
        if (++this.aliases > this.limits.maxAliases) {
          throw new Abort(`more than ${this.limits.maxAliases} aliases in one file; refusing to expand it`);
        }
        const target = this.anchors.get(name);
        if (!target) {
          const loc = this.lines.loc(Math.max(0, ev.anchorStart - 1));
          this.issues.error(this.path(), `unknown alias *${name} (no anchor &${name} before it)`, loc);
          return { kind: 'scalar', value: null, loc };
        }
        this.total += target.size - 1;
        if (this.total > this.limits.maxNodes) throw this.tooBig();
        if (this.segs.length + target.height > this.limits.maxDepth) {
          throw new Abort(`aliases nest the document deeper than ${this.limits.maxDepth} levels; refusing to expand it`);
        }
        this.height = target.height;
        return target.node;
      }
      case EVENT_ID.SEQUENCE: {
        const loc = this.lines.loc(ev.start);
        const tag = this.collectionTag(ev.tagStart, ev.tagEnd, 'seq', loc);
        const items: YNode[] = [];
        let height = 0;
        while (this.events[this.i]!.type !== EVENT_ID.POP) {
          this.segs.push(String(items.length));
          items.push(this.node(loc));
          this.segs.pop();
          if (this.height > height) height = this.height;
        }
        this.i++;
        this.height = height + 1;
        node = tag ? { kind: 'seq', items, loc, tag } : { kind: 'seq', items, loc };
        break;
      }
      case EVENT_ID.MAPPING: {
        const loc = this.lines.loc(ev.start);
        node = this.mapping(loc, this.collectionTag(ev.tagStart, ev.tagEnd, 'map', loc));
        break;
      }
      default:
        throw new Error(`unexpected YAML event ${ev.type}`);
    }
    // Registered after composing, so a node cannot alias itself (YAML forbids that anyway).
    if (ev.anchorStart >= 0) this.anchors.set(this.src.slice(ev.anchorStart, ev.anchorEnd), { node, size: this.total - before, height: this.height });
    return node;
  }

  private mapping(loc: SourceLoc, tag: YTag | undefined): YMap {
    const entries = new Map<string, YEntry>();
    let merges: Array<{ node: YNode; loc: SourceLoc }> | undefined;
    let height = 0;
    while (this.events[this.i]!.type !== EVENT_ID.POP) {
      const keyEv = this.events[this.i]!;
      const keyOffset = eventOffset(keyEv);
      const keyLoc = keyOffset >= 0 ? this.lines.loc(this.quoteStart(keyEv, keyOffset)) : loc;
      let key: string | undefined;
      if (keyEv.type === EVENT_ID.SCALAR) {
        this.i++;
        this.total++;
        const text = getScalarValue(this.src, keyEv);
        const plain = keyEv.style === SCALAR_STYLE.PLAIN;
        const tagText = keyEv.tagStart >= 0 ? this.src.slice(keyEv.tagStart, keyEv.tagEnd) : undefined;
        // `<<` plain, or tagged `!!merge` (go-yaml's isMerge), is a merge key.
        if (text === '<<' && (tagText === undefined ? plain : isMergeTag(tagText))) {
          this.segs.push('<<');
          (merges ??= []).push({ node: this.node(keyLoc), loc: keyLoc });
          this.segs.pop();
          // The merged entries sit one level higher than the merge value's own root.
          if (this.height - 1 > height) height = this.height - 1;
          continue;
        }
        const resolved = tagText === undefined && plain ? resolvePlain(text) : text;
        if (tagText !== undefined && !isStringTag(tagText)) {
          this.issues.error(this.path(text), `key ${text} is tagged ${tagText}; keys must be strings (drop the tag or use !!str)`, keyLoc);
        } else if (typeof resolved !== 'string') {
          const shown = resolved === null ? 'null' : text;
          this.issues.error(this.path(text), `key ${shown} is ${resolved === null ? 'null' : `a ${typeof resolved}`}; keys must be strings (quote it: "${text}")`, keyLoc);
        } else key = text;
      } else {
        // Complex keys (`? [a, b]`) and aliases as keys: consume and reject.
        this.node(keyLoc);
        this.issues.error(this.path(), 'mapping keys must be plain strings, not lists, mappings or aliases', keyLoc);
      }
      this.segs.push(key ?? '?');
      const value = this.node(keyLoc);
      this.segs.pop();
      if (this.height > height) height = this.height;
      if (key === undefined) continue;
      if (FORBIDDEN_KEYS.has(key)) {
        this.issues.error(this.path(key), `the key "${key}" is not allowed (it could alter JavaScript object prototypes)`, keyLoc);
        continue;
      }
      const first = entries.get(key);
      if (first) {
        this.issues.error(this.path(key), `duplicate key "${key}" (first written at line ${first.keyLoc.line})`, keyLoc);
        continue;
      }
      entries.set(key, { key, keyLoc, value });
    }
    this.i++;
    this.height = height + 1;
    if (merges) for (const m of merges) this.applyMerge(entries, m.node, m.loc);
    return tag ? { kind: 'map', entries, loc, tag } : { kind: 'map', entries, loc };
  }

  /** Adds `<<` sources' entries that are not already present (explicit keys win, then earlier sources). */
  private applyMerge(entries: Map<string, YEntry>, source: YNode, loc: SourceLoc): void {
    const sources = source.kind === 'seq' ? source.items : [source];
    for (const s of sources) {
      if (s.kind !== 'map') {
        this.issues.error(this.path('<<'), 'a merge key (<<) takes a mapping or a list of mappings', loc);
        continue;
      }
      for (const [k, e] of s.entries) if (!entries.has(k)) entries.set(k, e);
    }
  }

  private scalar(ev: ScalarEvent, fallback: SourceLoc): YScalar {
    const loc = ev.valueStart >= 0 ? this.lines.loc(this.quoteStart(ev, ev.valueStart)) : fallback;
    const text = ev.valueStart >= 0 ? getScalarValue(this.src, ev) : '';
    const tagText = ev.tagStart >= 0 ? this.src.slice(ev.tagStart, ev.tagEnd) : undefined;
    const plain = ev.style === SCALAR_STYLE.PLAIN;
    if (tagText === undefined) {
      return { kind: 'scalar', value: plain ? resolvePlain(text) : text, loc, text };
    }
    const tag = normalizeTag(tagText);
    switch (tag) {
      case '!reset':
      case '!override':
        return { kind: 'scalar', value: plain ? resolvePlain(text) : text, loc, text, tag: tag === '!reset' ? 'reset' : 'override' };
      case '!':
      case `${CORE_TAG}str`:
        return { kind: 'scalar', value: text, loc, text };
      case `${CORE_TAG}null`:
      case `${CORE_TAG}bool`:
      case `${CORE_TAG}int`:
      case `${CORE_TAG}float`: {
        const v = resolvePlain(text);
        const want = tag.slice(CORE_TAG.length);
        const got = coreKind(text, v);
        if (got === want || (want === 'float' && got === 'int')) return { kind: 'scalar', value: v, loc, text };
        this.issues.error(this.path(), `"${text}" is not a valid ${tagText} value`, loc);
        return { kind: 'scalar', value: text, loc, text };
      }
      default:
        this.issues.error(this.path(), `unsupported YAML tag ${tagText}`, loc);
        return { kind: 'scalar', value: text, loc, text };
    }
  }

  private collectionTag(start: number, end: number, kind: 'seq' | 'map', loc: SourceLoc): YTag | undefined {
    if (start < 0) return undefined;
    const raw = this.src.slice(start, end);
    const tag = normalizeTag(raw);
    if (tag === '!reset') return 'reset';
    if (tag === '!override') return 'override';
    if (tag === '!' || tag === `${CORE_TAG}${kind}`) return undefined;
    this.issues.error(this.path(), `unsupported YAML tag ${raw}`, loc);
    return undefined;
  }

  /** Quoted scalars: point at the opening quote, not the first character inside. */
  private quoteStart(ev: Event, offset: number): number {
    if (ev.type !== EVENT_ID.SCALAR) return offset;
    if (ev.style === SCALAR_STYLE.SINGLE_QUOTED || ev.style === SCALAR_STYLE.DOUBLE_QUOTED) return Math.max(0, offset - 1);
    return offset;
  }

  private tooBig(): Abort {
    return new Abort(`the document expands to more than ${this.limits.maxNodes} nodes through aliases and merge keys; refusing to load it`);
  }
}
