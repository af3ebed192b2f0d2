/** The shape of bench/results/*.json. */
import type { MachineInfo } from './machine.js';
import type { ScaleResults } from './scale.js';
import type { LatencySummary, Summary } from './stats.js';
import type { SampleResult, WorkloadName, WorkloadSizes } from './workloads.js';

/**
 * One repetition of one workload on one system. `load1` is the machine's 1-minute load average before and
 * after the repetition: the machine may be shared, and a high load makes a sample less trustworthy.
 */
export type SampleRecord = { load1?: [number, number] } & (
  | ({ status: 'ok'; rep: number } & SampleResult)
  | { status: 'timeout'; rep: number; completions: number; timeoutMs: number; hopsMs?: number[] }
  | { status: 'error'; rep: number; message: string }
  | { status: 'skipped'; rep: number; reason: string }
);

/** Every repetition of one workload on one system, and their summary. */
export interface CellResult {
  system: string;
  workload: WorkloadName;
  samples: SampleRecord[];
  /** completions/s over the ok samples. */
  completionsPerSec?: Summary;
  /** Wall time (ms) over the ok samples. */
  wallMs?: Summary;
  /** Chain: hop latency over all hops of all samples (incl. those measured before a timeout). */
  hops?: LatencySummary;
  /** Chain, Sluice: hop latency between handlers measured in-process. */
  handlerHops?: LatencySummary;
  /** ok | timeout | error | unavailable | partial (some reps failed). */
  status: 'ok' | 'timeout' | 'error' | 'unavailable' | 'partial';
}

/** The whole results file. */
export interface BenchResults {
  mode: 'full' | 'smoke';
  startedAt: string;
  finishedAt: string;
  machine: MachineInfo;
  sizes: WorkloadSizes;
  reps: number;
  timeoutMs: number;
  systems: { id: string; config: string; mapping: Record<WorkloadName, string>; unavailable?: string }[];
  cells: CellResult[];
  pgbench?: { command: string; samples: number[]; tps: Summary; error?: string };
  scale?: ScaleResults;
  notes: string[];
}
