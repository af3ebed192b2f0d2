import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultUiDir, registerUiRoutes } from '../../src/api/ui-assets.js';

describe('UI assets', () => {
  const app = new Hono();
  registerUiRoutes(app, {});

  it('serves index.html at / with the import map and a same-origin content security policy', async () => {
    const res = await app.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const body = await res.text();
    expect(body).toContain('"preact": "/ui/vendor/preact.js"');
    expect(body).toContain('"preact/hooks": "/ui/vendor/preact-hooks.js"');
    expect(body).toContain('"htm": "/ui/vendor/htm.js"');
    expect(body).not.toMatch(/https?:\/\//);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
  });

  it('serves the UI modules and styles with their content types', async () => {
    for (const [path, type] of [
      ['/ui/app.js', 'text/javascript; charset=utf-8'],
      ['/ui/dag-grid.js', 'text/javascript; charset=utf-8'],
      ['/ui/styles.css', 'text/css; charset=utf-8'],
      ['/ui/index.html', 'text/html; charset=utf-8'],
    ] as const) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe(type);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
    expect(await (await app.request('/ui/app.js')).text()).toMatch(/^\/\/ @ts-check/);
    expect((await app.request('/ui/index.html')).headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('serves preact, preact/hooks and htm as ES modules from node_modules', async () => {
    const preact = await app.request('/ui/vendor/preact.js');
    expect(preact.status).toBe(200);
    expect(preact.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await preact.text()).toMatch(/export\s*\{/);
    const hooks = await (await app.request('/ui/vendor/preact-hooks.js')).text();
    expect(hooks).toMatch(/from\s*["']preact["']/);
    expect(hooks).toMatch(/useState/);
    const htm = await app.request('/ui/vendor/htm.js');
    expect(htm.status).toBe(200);
    expect(await htm.text()).toMatch(/export\s*\{?\s*\w*\s*(as default)?/);
    expect((await app.request('/ui/vendor/react.js')).status).toBe(404);
  });

  it('refuses path traversal, hidden files, unknown extensions and missing files', async () => {
    for (const path of [
      '/ui/%2e%2e/package.json',
      '/ui/..%2fpackage.json',
      '/ui/..%2f..%2fpackage.json',
      '/ui/%2e%2e%2f%2e%2e%2fsrc%2findex.ts',
      '/ui/..%5cpackage.json',
      '/ui/%00app.js',
      '/ui/%E0%A4%A',
      '/ui/.hidden.js',
      '/ui/tsconfig.json/',
      '/ui//etc/passwd',
      '/ui/missing.js',
      '/ui/tsconfig.json',
      '/ui/',
    ]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
    }
    // The raw request target, unnormalized (fetch-style clients collapse ../ themselves).
    const raw = await app.fetch(new Request('http://localhost/ui/../package.json'));
    expect(raw.status).not.toBe(200);
  });

  describe('with a custom folder', () => {
    let dir = '';
    let outside = '';
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'sluice-ui-'));
      outside = await mkdtemp(join(tmpdir(), 'sluice-ui-outside-'));
      await mkdir(join(dir, 'sub'));
      await writeFile(join(dir, 'index.html'), '<!doctype html><title>custom</title>');
      await writeFile(join(dir, 'sub', 'x.js'), 'export const x = 1;');
      await writeFile(join(dir, 'notes.exe'), 'MZ');
      await writeFile(join(outside, 'secret.js'), 'export const secret = 1;');
      await symlink(join(outside, 'secret.js'), join(dir, 'link.js'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
      await rm(outside, { recursive: true, force: true });
    });

    it('serves files below it and refuses symlinks that leave it', async () => {
      const custom = new Hono();
      registerUiRoutes(custom, { uiDir: dir });
      expect(await (await custom.request('/')).text()).toContain('custom');
      expect(await (await custom.request('/ui/sub/x.js')).text()).toBe('export const x = 1;');
      expect((await custom.request('/ui/link.js')).status).toBe(404);
      expect((await custom.request('/ui/notes.exe')).status).toBe(404);
    });
  });

  it('defaults to the ui folder of the package', () => {
    expect(defaultUiDir()).toMatch(/packages[/\\]core[/\\]ui$/);
  });
});
