/**
 * Before `up` makes anything: every secret and config a selected service
 * reads from a host file must be a regular file, else the error names the
 * top-level key at its line and the machine is left as it was (the file is
 * read again at each start, so a file removed later fails that start).
 */
import * as fs from 'node:fs';
import type { Project } from '../compose/types';
import { SpecError, type SpecIssue } from '../errors';

export function checkFileSources(project: Project, services: string[] = []): void {
  const issues: SpecIssue[] = [];
  const seen = new Set<string>();
  for (const svc of Object.values(project.services)) {
    if (services.length && !services.includes(svc.name)) continue;
    for (const f of svc.files ?? []) {
      const key = `${f.kind}s.${f.name}`;
      if (!('file' in f.source) || seen.has(key)) continue;
      seen.add(key);
      const st = fs.statSync(f.source.file, { throwIfNoEntry: false });
      if (st?.isFile()) continue;
      const path = `${key}.file`;
      issues.push({ path, loc: project.sources.get(path) ?? project.sources.get(key), message: `${f.source.file} is ${st ? 'not a regular file' : 'missing'}` });
    }
  }
  if (issues.length) throw new SpecError(issues);
}
