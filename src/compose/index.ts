/**
 * The compose loader's public API. Pure: every file is read through the
 * caller's SourceReader, the environment is passed in, nothing is printed.
 */
export { loadProject } from './load';
export type { LoadInput } from './load';
export type { SourceReader } from './files';
export { renderConfig } from './render';
export { DEFAULT_FILE_NAMES } from './files';
export { DEFAULT_LIMITS } from './yaml';
export type * from './types';
