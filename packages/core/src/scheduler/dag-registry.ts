import type { Dag } from '../authoring/dag.js';
import type { DagStructure } from '../authoring/structure.js';
import type { Queryable } from '../store/rows.js';
import { getDagVersion } from '../store/dags.js';

/** Where the scheduler and executor find DAG code: a loaded DAG folder, or a fixed list. */
export interface DagRegistry {
  list(): Dag<unknown>[];
  get(dagId: string): Dag<unknown> | undefined;
}

/** A registry over a fixed list of DAGs (tests, `dags test`, programmatic use). */
export class StaticDagRegistry implements DagRegistry {
  private readonly dags: Map<string, Dag<unknown>>;
  constructor(dags: readonly Dag<unknown>[]) {
    this.dags = new Map(dags.map((d) => [d.id, d]));
  }
  list(): Dag<unknown>[] {
    return [...this.dags.values()];
  }
  get(dagId: string): Dag<unknown> | undefined {
    return this.dags.get(dagId);
  }
}

/** Caches DAG version structures (immutable once stored) by `dagId@hash`. */
export class VersionCache {
  private readonly cache = new Map<string, DagStructure>();
  constructor(private readonly db: Queryable) {}
  /** Remembers a structure computed locally. */
  put(dagId: string, hash: string, structure: DagStructure): void {
    this.cache.set(`${dagId}@${hash}`, structure);
  }
  /** The structure of a version if it is in memory. */
  peek(dagId: string, hash: string): DagStructure | undefined {
    return this.cache.get(`${dagId}@${hash}`);
  }
  /** The structure of a version, from memory or the store. */
  async get(dagId: string, hash: string): Promise<DagStructure | undefined> {
    const key = `${dagId}@${hash}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const stored = await getDagVersion(this.db, dagId, hash);
    if (stored) this.cache.set(key, stored);
    return stored;
  }
}
