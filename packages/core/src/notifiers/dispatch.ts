import type { NotificationEvent, NotificationKind, Notifier, NotifierContext } from '../authoring/task.js';
import { redactUrls } from './http.js';

/** Default bound on one notifier's `notify`, including connection lookup. */
export const DEFAULT_DISPATCH_TIMEOUT_MS = 30_000;
/** Longest error text carried by an event (no stacks: they may quote secrets from task code). */
const EVENT_ERROR_MAX_LENGTH = 4000;

/** Options of {@link dispatchNotification}. */
export interface DispatchOptions {
  /** Bound on each notifier; a slower one is abandoned and a warning logged. Default 30s. */
  timeoutMs?: number;
}

/** True when `notifier` wants events of this kind (all kinds when it lists none). */
export function wantsNotification(notifier: Notifier, kind: NotificationKind): boolean {
  return notifier.on === undefined || notifier.on.includes(kind);
}

/**
 * Sends `event` to every notifier that wants its kind, all at once, each bounded by a timeout.
 * Never rejects: a failing, throwing or hanging notifier is logged with `context.log.warn` (a message
 * naming the notifier, the event and the error, with URLs cut down to their origin) and the others still
 * run. Resolves when every notifier has finished or been abandoned.
 */
export async function dispatchNotification(
  notifiers: readonly Notifier[],
  event: NotificationEvent,
  context: NotifierContext,
  options: DispatchOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_DISPATCH_TIMEOUT_MS;
  const chosen = notifiers.filter((notifier) => wantsNotification(notifier, event.kind));
  await Promise.all(chosen.map((notifier) => notifyBounded(notifier, event, context, timeoutMs)));
}

async function notifyBounded(
  notifier: Notifier,
  event: NotificationEvent,
  context: NotifierContext,
  timeoutMs: number,
): Promise<void> {
  const controller = new AbortController();
  const onOuterAbort = (): void => controller.abort();
  context.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (context.signal?.aborted) controller.abort();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`timed out after ${timeoutMs}ms`));
    }, timeoutMs);
  });
  const sending = Promise.resolve().then(() => notifier.notify(event, { ...context, signal: controller.signal }));
  // An abandoned notifier may still reject later; that must not become an unhandled rejection.
  sending.catch(() => undefined);
  try {
    // Racing keeps a notifier that ignores its signal from holding the dispatch up.
    await Promise.race([sending, timedOut]);
  } catch (error) {
    const where = `${event.dagId}/${event.runId}${event.taskId ? `/${event.taskId}` : ''}`;
    context.log.warn(`notifier ${notifier.name} failed to send ${event.kind} of ${where}: ${describeError(error)}`, {
      notifier: notifier.name,
      kind: event.kind,
      dagId: event.dagId,
      runId: event.runId,
      taskId: event.taskId,
      errorName: error instanceof Error ? error.name : typeof error,
    });
  } finally {
    clearTimeout(timer);
    context.signal?.removeEventListener('abort', onOuterAbort);
  }
}

function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return redactUrls(message.split('\n')[0] ?? '');
}

/** What {@link createNotificationEvent} needs: the event's fields, with `error` as anything thrown. */
export interface NotificationEventInput {
  dagId: string;
  runId: string;
  logicalDate: Date;
  taskId?: string | undefined;
  mapIndex?: number | undefined;
  tryNumber?: number | undefined;
  /** The error (or message) of a failed attempt; only its message is kept, never its stack. */
  error?: unknown;
  /** When it happened. Default: now. */
  at?: Date;
}

/**
 * Builds a {@link NotificationEvent}: keeps only the error's message (first 4000 characters), drops
 * `mapIndex` for unmapped tasks (`-1`), and stamps `at` (default now).
 */
export function createNotificationEvent(kind: NotificationKind, input: NotificationEventInput): NotificationEvent {
  const error = errorMessage(input.error);
  return {
    kind,
    dagId: input.dagId,
    runId: input.runId,
    logicalDate: input.logicalDate,
    at: input.at ?? new Date(),
    ...(input.taskId !== undefined ? { taskId: input.taskId } : {}),
    ...(input.mapIndex !== undefined && input.mapIndex >= 0 ? { mapIndex: input.mapIndex } : {}),
    ...(input.tryNumber !== undefined ? { tryNumber: input.tryNumber } : {}),
    ...(error !== undefined ? { error } : {}),
  };
}

function errorMessage(error: unknown): string | undefined {
  if (error === undefined || error === null) return undefined;
  const message =
    error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
  return message.length <= EVENT_ERROR_MAX_LENGTH ? message : `${message.slice(0, EVENT_ERROR_MAX_LENGTH - 1)}…`;
}
