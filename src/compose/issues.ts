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

  error(path: string, message: string, loc?: SourceLoc): void {
    if (this.isPoisoned(path)) return;
    const key = `${path}\0${message}\0${loc ? `${loc.file}:${loc.line}:${loc.col}` : ''}`;
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
