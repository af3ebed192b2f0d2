import { pino } from 'pino';

/** Structured fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/** The logging interface the core depends on; applications choose the implementation. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger whose lines all carry `fields`. */
  child(fields: LogFields): Logger;
}

/** Log levels, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A Logger backed by pino writing JSON lines to stderr (or pretty-ish lines when `pretty`). */
export function createPinoLogger(options: { level?: LogLevel; name?: string } = {}): Logger {
  const base = pino({ level: options.level ?? 'info', name: options.name ?? 'sluice' }, pino.destination(2));
  const wrap = (p: pino.Logger): Logger => ({
    debug: (m, f) => p.debug(f ?? {}, m),
    info: (m, f) => p.info(f ?? {}, m),
    warn: (m, f) => p.warn(f ?? {}, m),
    error: (m, f) => p.error(f ?? {}, m),
    child: (f) => wrap(p.child(f)),
  });
  return wrap(base);
}

/** A logger that drops everything. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

/** One captured log line. */
export interface LogLine {
  level: LogLevel;
  message: string;
  fields: LogFields;
  at: Date;
}

/** A logger that keeps lines in memory (tests and task attempt capture). */
export class MemoryLogger implements Logger {
  readonly lines: LogLine[] = [];
  constructor(
    private readonly base: LogFields = {},
    private readonly sink?: LogLine[],
  ) {}
  private push(level: LogLevel, message: string, fields?: LogFields): void {
    const line = { level, message, fields: { ...this.base, ...fields }, at: new Date() };
    (this.sink ?? this.lines).push(line);
  }
  debug(m: string, f?: LogFields): void {
    this.push('debug', m, f);
  }
  info(m: string, f?: LogFields): void {
    this.push('info', m, f);
  }
  warn(m: string, f?: LogFields): void {
    this.push('warn', m, f);
  }
  error(m: string, f?: LogFields): void {
    this.push('error', m, f);
  }
  child(fields: LogFields): Logger {
    return new MemoryLogger({ ...this.base, ...fields }, this.sink ?? this.lines);
  }
}

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A Logger writing one readable line per entry to stderr (`12:00:01 info message key=value`), for terminals. */
export function createTextLogger(options: { level?: LogLevel; fields?: LogFields } = {}): Logger {
  const min = LEVEL_ORDER[options.level ?? 'info'];
  const base = options.fields ?? {};
  const write = (level: LogLevel, message: string, fields?: LogFields): void => {
    if (LEVEL_ORDER[level] < min) return;
    const all = { ...base, ...fields };
    const extra = Object.entries(all)
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${level.padEnd(5)} ${message}${extra ? ` ${extra}` : ''}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (f) => createTextLogger({ level: options.level ?? 'info', fields: { ...base, ...f } }),
  };
}
