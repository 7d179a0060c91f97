import test from 'ava';
import { renderConfig } from '../../../src/compose';
import { hasIssue, issues, load } from './helpers';

const svc = (logging: string) => load(`services:\n  a:\n    command: ["true"]\n    logging:\n${logging}`).services.a!;

test('logging: json-file with rotation, local with Docker\'s defaults, none', (t) => {
  t.deepEqual(svc('      driver: json-file\n      options: {max-size: 10m, max-file: "3"}\n').logging, { driver: 'json-file', maxSize: 10 * 1024 * 1024, maxFiles: 3 });
  t.deepEqual(svc('      options: {max-size: "2k"}\n').logging, { driver: 'json-file', maxSize: 2048, maxFiles: 1 });
  t.deepEqual(svc('      driver: local\n').logging, { driver: 'local', maxSize: 20 * 1024 * 1024, maxFiles: 5 });
  t.deepEqual(svc('      driver: local\n      options: {max-file: 2}\n').logging, { driver: 'local', maxSize: 20 * 1024 * 1024, maxFiles: 2 });
  t.deepEqual(svc('      driver: none\n').logging, { driver: 'none' });
  t.is(load('services:\n  a:\n    command: ["true"]\n').services.a!.logging, undefined);
});

test('logging is rendered by config and loads back the same', (t) => {
  const p = load('services:\n  a:\n    command: ["true"]\n    logging: {driver: json-file, options: {max-size: 1k, max-file: 2}}\n');
  const text = renderConfig(p);
  t.regex(text, /logging:\n\s+driver: json-file\n\s+options:\n\s+max-file: '2'\n\s+max-size: '1024'/);
  t.deepEqual(load(text).services.a!.logging, p.services.a!.logging);
});

test('other drivers and options are errors at their key', (t) => {
  const base = 'services:\n  web:\n    command: ["true"]\n    logging:\n';
  hasIssue(t, issues(t, `${base}      driver: syslog\n`), 'compose.yaml:5:7', 'services.web.logging.driver', 'logging driver "syslog" is not supported');
  hasIssue(t, issues(t, `${base}      options:\n        tag: x\n`), 'compose.yaml:6:9', 'services.web.logging.options.tag', 'logging option "tag" is not supported yet');
  hasIssue(t, issues(t, `${base}      options:\n        max-size: lots\n`), 'compose.yaml:6:9', 'services.web.logging.options.max-size', '"lots" is not a size');
  hasIssue(t, issues(t, `${base}      options:\n        max-size: 1m\n        max-file: 0\n`), 'compose.yaml:7:9', 'services.web.logging.options.max-file', 'not a number of files');
  hasIssue(t, issues(t, `${base}      options:\n        max-file: 3\n`), 'compose.yaml:6:9', 'services.web.logging.options.max-file', 'max-file needs max-size');
  hasIssue(t, issues(t, `${base}      driver: none\n      options:\n        max-size: 1m\n`), 'compose.yaml:7:9', 'services.web.logging.options.max-size', 'driver none');
  hasIssue(t, issues(t, `${base}      drivr: local\n`), 'compose.yaml:5:7', 'services.web.logging.drivr', 'unknown logging key');
});
