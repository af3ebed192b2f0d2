import * as m001 from './001_initial.js';
import * as m002 from './002_catalog.js';
import * as m003 from './003_api_tokens.js';

/** One forward-only schema change. `name` starts with a zero-padded sequence number. */
export interface Migration {
  readonly name: string;
  readonly sql: string;
}

/** Every migration this version of Sluice knows, oldest first. Append only; never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [m001, m002, m003];
