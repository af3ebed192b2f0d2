/** Errors of the example environment. */

/** A stand-in of the example environment could not start (port taken, server failed), or a setting is wrong. */
export class LocalEnvironmentError extends Error {
  override readonly name = 'LocalEnvironmentError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
