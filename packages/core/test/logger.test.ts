import { afterEach, expect, it, vi } from 'vitest';
import { createTextLogger, MemoryLogger } from '../src/logger.js';

afterEach(() => {
  vi.restoreAllMocks();
});

it('text logger writes one readable line per entry at or above its level', () => {
  const lines: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  const log = createTextLogger({ level: 'info' }).child({ dagId: 'etl' });
  log.debug('hidden');
  log.info('created run', { runId: 'r1', n: 2 });
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d info {2}created run dagId=etl runId=r1 n=2\n$/);
});

it('memory logger children share one line list', () => {
  const log = new MemoryLogger({ a: 1 });
  log.child({ b: 2 }).warn('w');
  expect(log.lines).toEqual([expect.objectContaining({ level: 'warn', message: 'w', fields: { a: 1, b: 2 } })]);
});
