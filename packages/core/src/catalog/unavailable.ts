import { SluiceError } from '../errors.js';
import type { CatalogService } from './types.js';

const fail = (): never => {
  throw new SluiceError('the data catalog is not available in this context');
};

/** A catalog that refuses every call: for hand-built task contexts (unit tests of operators) that need none. */
export const unavailableCatalog: CatalogService = { getTable: fail, listVersions: fail, putTable: fail };
