import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.js';

let base: string;
beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'sluice-lock-'));
});
afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

it('refuses a PGlite directory held by another live process, naming it', async () => {
  const dir = join(base, 'pglite');
  await writeFile(`${dir}.lock`, String(process.ppid));
  await expect(openDatabase({ pgliteDir: dir })).rejects.toThrow(new RegExp(`in use by process ${process.ppid}.*SLUICE_DATABASE_URL`));
});

it('takes over a lock left by a dead process, and releases it on close', async () => {
  const dir = join(base, 'pglite');
  await writeFile(`${dir}.lock`, '2147483646');
  const db = await openDatabase({ pgliteDir: dir });
  expect((await readFile(`${dir}.lock`, 'utf8')).trim()).toBe(String(process.pid));
  await expect(openDatabase({ pgliteDir: dir })).rejects.toThrow(/already open in this process/);
  await db.close();
  await expect(readFile(`${dir}.lock`, 'utf8')).rejects.toThrow();
  const again = await openDatabase({ pgliteDir: dir });
  await again.close();
});
