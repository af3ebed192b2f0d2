/**
 * The four comparison workloads, their sizes, the interface every system implements, and the in-process
 * tracker that timestamps no-op handlers.
 */

/** Workload names, as used by `--only` and in the results. */
export const WORKLOADS = ['independent', 'fanout', 'chain', 'dags'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

/** Sizes of every workload for one mode. */
export interface WorkloadSizes {
  /** Workload 1: independent no-op tasks. */
  independent: number;
  /** Workload 2: width of the 1 → N → 1 fan-out/fan-in. */
  fanout: number;
  /** Workload 3: length of the chain. */
  chain: number;
  /** Workload 4: number of DAGs triggered together … */
  dags: number;
  /** … and tasks per DAG (root → tasks−2 parallel → sink). */
  dagTasks: number;
}

export const FULL_SIZES: WorkloadSizes = { independent: 10_000, fanout: 1_000, chain: 1_000, dags: 100, dagTasks: 10 };
export const SMOKE_SIZES: WorkloadSizes = { independent: 200, fanout: 50, chain: 10, dags: 5, dagTasks: 5 };

/** Concurrent handlers per system (graphile-worker's documented batched preset keeps its own 24). */
export const CONCURRENCY = 32;

/** How many no-op handler executions a workload makes in total. */
export function expectedCompletions(workload: WorkloadName, s: WorkloadSizes): number {
  switch (workload) {
    case 'independent':
      return s.independent;
    case 'fanout':
      return s.fanout + 2;
    case 'chain':
      return s.chain;
    case 'dags':
      return s.dags * s.dagTasks;
  }
}

/** What one run of one workload on one system measured. */
export interface SampleResult {
  /** From just before the first enqueue/trigger to the moment the system reports everything done. */
  wallMs: number;
  /** Handler executions observed (must equal the expected count). */
  completions: number;
  /** completions / wall time. */
  completionsPerSec: number;
  /**
   * Chain only: per-hop latency in ms, upstream success → downstream start. Sluice: from the store's attempt
   * timestamps; peers: handler entry minus the previous handler's return (in-process clock).
   */
  hopsMs?: number[];
  /** Chain only, Sluice: the same hops measured in-process (handler entry minus previous handler return). */
  handlerHopsMs?: number[];
  /** Extra facts a system reports (e.g. time to enqueue). */
  extra?: Record<string, number | string>;
}

/** A system under test: runs one sample of a workload from a clean database and cleans up after itself. */
export interface BenchSystem {
  /** Stable id (`sluice`, `graphile-worker-batched`, …), used by `--only`. */
  readonly id: string;
  /** One line describing the configuration used. */
  readonly config: string;
  /** How each workload maps onto this system, for the README and the results notes. */
  readonly mapping: Record<WorkloadName, string>;
  /** Undefined when the system can run here, else why not (recorded as "unavailable"). */
  unavailableReason(): Promise<string | undefined>;
  /** Runs one sample; rejects with {@link TimeoutError} when `deadline` (performance.now()) passes. */
  runSample(workload: WorkloadName, sizes: WorkloadSizes, deadline: number): Promise<SampleResult>;
}

/** A sample did not complete before its deadline. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(
    message: string,
    /** Handler executions seen before the deadline. */
    readonly completions: number,
    /** Hops measured before the deadline (chain). */
    readonly hopsMs: number[] = [],
  ) {
    super(message);
  }
}

/** Epoch milliseconds with sub-millisecond resolution from the monotonic clock. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Counts no-op handler executions and records each one's entry and return time (epoch ms, in execution
 * order); resolves `whenCount(n)` once n handlers returned.
 */
export class HandlerTracker {
  count = 0;
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  private waiters: { n: number; resolve: () => void }[] = [];

  /** Wraps a handler body: records entry and return. */
  async track<T>(body?: () => Promise<T> | T): Promise<T | undefined> {
    this.starts.push(nowMs());
    const out = body ? await body() : undefined;
    this.ends.push(nowMs());
    this.count++;
    this.waiters = this.waiters.filter((w) => {
      if (this.count >= w.n) w.resolve();
      return this.count < w.n;
    });
    return out;
  }

  /** Resolves once `n` handlers have returned. */
  whenCount(n: number): Promise<void> {
    if (this.count >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  /** Hop latencies in execution order: entry of handler i minus return of handler i−1. */
  sequentialHops(): number[] {
    const hops: number[] = [];
    for (let i = 1; i < this.starts.length; i++) hops.push((this.starts[i] as number) - (this.ends[i - 1] as number));
    return hops;
  }
}

/** Waits for `promise`, rejecting with a TimeoutError at `deadline` (performance.now() ms). */
export async function untilDeadline<T>(promise: Promise<T>, deadline: number, tracker: HandlerTracker, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TimeoutError(`${what}: timeout after ${tracker.count} completions`, tracker.count, tracker.sequentialHops())),
      Math.max(0, deadline - performance.now()),
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` every `intervalMs` until it returns true, or throws a TimeoutError at `deadline`. */
export async function pollUntil(check: () => Promise<boolean>, deadline: number, tracker: HandlerTracker, what: string, intervalMs = 5): Promise<void> {
  for (;;) {
    if (await check()) return;
    if (performance.now() > deadline) throw new TimeoutError(`${what}: timeout after ${tracker.count} completions`, tracker.count, tracker.sequentialHops());
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Builds the result of a finished sample. */
export function sampleResult(startedAt: number, tracker: HandlerTracker, extra: Partial<SampleResult> = {}): SampleResult {
  const wallMs = nowMs() - startedAt;
  return { wallMs, completions: tracker.count, completionsPerSec: (tracker.count / wallMs) * 1000, ...extra };
}
