import { z } from 'zod';
import { TRIGGER_RULES } from '../states.js';
import { durationSchema } from './duration.js';
import { assetUriSchema, normalizeSchedule } from './schedule.js';
import type { Notifier, TaskCallback } from './task.js';
import { validateCronExpression } from '../scheduling/intervals.js';

/** Valid DAG ids: letters, digits, `_`, `-`, `.`; starting with a letter or digit; at most 250 characters. */
export const DAG_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,249}$/;
/** Valid local task ids (group prefixes are added with `.`). */
export const TASK_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,249}$/;

const dateSchema = z.union([z.date(), z.string(), z.number()]).transform((v, ctx) => {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) {
    ctx.addIssue({ code: 'custom', message: `invalid date '${String(v)}'` });
    return z.NEVER;
  }
  return d;
});

const timezoneSchema = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'unknown IANA timezone');

const functionSchema = z.custom<TaskCallback>((v) => typeof v === 'function', 'must be a function');
const notifierSchema = z.custom<Notifier>(
  (v) => typeof v === 'object' && v !== null && typeof (v as { notify?: unknown }).notify === 'function',
  'must be a notifier (an object with notify())',
);

/** zod schema of task options (shared by `defaultTaskOptions` and each task). */
export const taskOptionsSchema = z.object({
  retries: z.number().int().min(0).max(1000).optional(),
  retryDelay: durationSchema.optional(),
  exponentialBackoff: z.boolean().optional(),
  maxRetryDelay: durationSchema.optional(),
  timeout: durationSchema.optional(),
  triggerRule: z.enum(TRIGGER_RULES).optional(),
  pool: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'pool names use letters, digits, _ . -').optional(),
  poolSlots: z.number().int().min(1).optional(),
  priorityWeight: z.number().int().optional(),
  dependsOnPast: z.boolean().optional(),
  queue: z.string().min(1).optional(),
  isolation: z.enum(['in-process', 'child-process']).optional(),
  onFailure: functionSchema.optional(),
  onSuccess: functionSchema.optional(),
  onRetry: functionSchema.optional(),
  notifiers: z.array(notifierSchema).optional(),
  doc: z.string().optional(),
  outlets: z.array(assetUriSchema).optional(),
  maxActiveMapped: z.number().int().min(1).optional(),
  mode: z.enum(['poke', 'reschedule']).optional(),
  pokeInterval: durationSchema.optional(),
  sensorTimeout: durationSchema.optional(),
  softFail: z.boolean().optional(),
});

/** Parsed task options (durations in ms). */
export type ParsedTaskOptions = z.output<typeof taskOptionsSchema>;

/** zod schema of DAG options. */
export const dagOptionsSchema = z
  .object({
    id: z.string().regex(DAG_ID_PATTERN, 'DAG id must match [A-Za-z0-9][A-Za-z0-9_.-]* (at most 250 chars)'),
    schedule: z
      .unknown()
      .optional()
      .transform((v, ctx) => {
        try {
          return normalizeSchedule(v as never);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
    start: dateSchema.optional(),
    end: dateSchema.optional(),
    timezone: timezoneSchema.default('UTC'),
    catchup: z.boolean().default(false),
    maxActiveRuns: z.number().int().min(1).default(16),
    maxActiveTasks: z.number().int().min(1).default(16),
    defaultTaskOptions: taskOptionsSchema.omit({ outlets: true, maxActiveMapped: true }).default({}),
    tags: z.array(z.string()).default([]),
    description: z.string().optional(),
    params: z
      .custom<z.ZodType>((v) => typeof v === 'object' && v !== null && typeof (v as z.ZodType).safeParse === 'function', 'params must be a zod schema')
      .optional(),
    sla: durationSchema.optional(),
    notifiers: z.array(notifierSchema).default([]),
    pausedOnCreation: z.boolean().default(false),
  })
  .superRefine((o, ctx) => {
    const scheduled = o.schedule.kind === 'cron' || o.schedule.kind === 'interval' || o.schedule.kind === 'once';
    if (scheduled && !o.start) ctx.addIssue({ code: 'custom', path: ['start'], message: 'start is required for a time-scheduled DAG' });
    if (o.start && o.end && o.end < o.start) ctx.addIssue({ code: 'custom', path: ['end'], message: 'end is before start' });
    if (o.schedule.kind === 'cron') {
      try {
        validateCronExpression(o.schedule.expression, o.timezone);
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: ['schedule'], message: (error as Error).message });
      }
    }
  });

/** Parsed DAG options. */
export type ParsedDagOptions = z.output<typeof dagOptionsSchema>;
