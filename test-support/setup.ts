/** Per-test-file setup (vitest `setupFiles`). */
import { installLeakChecks } from './leaks.js';

installLeakChecks();
