/** CLI exit codes. */
export const EXIT = {
  ok: 0,
  /** A run or task failed, or an unexpected error. */
  failure: 1,
  /** Bad input: invalid option, params, DAG definition, template. */
  usage: 2,
  /** A named DAG, run, task, connection or variable does not exist. */
  notFound: 3,
  /** The metadata store or a connection could not be reached. */
  unavailable: 4,
} as const;

/** The exit code for an error, by its name (works across copies of @sluice/core). */
export function exitCodeFor(error: unknown): number {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  switch (name) {
    case 'ValidationError':
    case 'DagDefinitionError':
    case 'DagImportError':
    case 'TemplateError':
    case 'PluginError':
    case 'CommanderError':
      return EXIT.usage;
    case 'NotFoundError':
      return EXIT.notFound;
    case 'StoreError':
    case 'ConnectionError':
      return EXIT.unavailable;
    default:
      return EXIT.failure;
  }
}
