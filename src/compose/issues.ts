/**
 * Collects every problem found while loading, so one run reports them all.
 */
import type { SourceLoc, SpecIssue } from '../errors';

export class Issues {
  readonly errors: SpecIssue[] = [];
  readonly warnings: SpecIssue[] = [];
  private readonly seen = new Set<string>();
  /** Paths whose value is already known to be broken: later complaints about them are noise. */
  private readonly poisoned = new Set<string>();

  /** Values an unset variable emptied or shortened (by path and by location): errors about them name the variables. */
  private readonly blanked = new Map<string, string[]>();
  /** Variables already warned about: Compose warns once per variable. */
  readonly unsetWarned = new Set<string>();

  /** Records that the value at `path` (written at `loc`) lost the unset variables `names` to interpolation. */
  blankedBy(path: string, loc: SourceLoc, names: string[]): void {
    this.blanked.set(path, names);
    this.blanked.set(locKey(loc), names);
  }

  error(path: string, message: string, loc?: SourceLoc): void {
    if (this.isPoisoned(path)) return;
    const names = this.blanked.size > 0 ? (this.blanked.get(path) ?? (loc && this.blanked.get(locKey(loc)))) : undefined;
    if (names) message += ` (${names.map((n) => `"${n}"`).join(', ')} ${names.length > 1 ? 'are' : 'is'} not set, so ${names.length > 1 ? 'they' : 'it'} became a blank string)`;
    const key = `${path}\0${message}\0${loc ? locKey(loc) : ''}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.errors.push(loc ? { path, message, loc } : { path, message });
  }

  warn(path: string, message: string, loc?: SourceLoc): void {
    this.warnings.push(loc ? { path, message, loc } : { path, message });
  }

  /** Reports an error and silences further errors at or below `path`. */
  fatal(path: string, message: string, loc?: SourceLoc): void {
    this.error(path, message, loc);
    this.poisoned.add(path);
  }

  get count(): number {
    return this.errors.length;
  }

  private isPoisoned(path: string): boolean {
    if (this.poisoned.size === 0) return false;
    let p = path;
    for (;;) {
      if (this.poisoned.has(p)) return true;
      const dot = p.lastIndexOf('.');
      if (dot < 0) return false;
      p = p.slice(0, dot);
    }
  }
}

function locKey(loc: SourceLoc): string {
  return `${loc.file}:${loc.line}:${loc.col}`;
}
