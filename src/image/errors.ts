/**
 * Errors of image pulls and the store: each names the image and, where one
 * was involved, the registry, so `pull` failures read like
 * `pull localhost:5000/app:v1: registry localhost:5000 answered 404 …`.
 */
import { ExitCode, TscError } from '../errors';

export class ImageError extends TscError {
  readonly code = 'IMAGE';
  readonly exitCode = ExitCode.apply;
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'ImageError';
  }
}

/** A registry answered something we cannot use (status, bad digest, bad manifest). */
export class RegistryError extends ImageError {
  constructor(
    readonly registry: string,
    message: string,
    readonly status?: number,
    cause?: unknown,
  ) {
    super(`registry ${registry}: ${message}`, cause);
    this.name = 'RegistryError';
  }
}
