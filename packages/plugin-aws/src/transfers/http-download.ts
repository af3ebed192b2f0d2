/** Downloads one URL into memory with a timeout and a size limit; failures become a reason, not a throw. */

/** A downloaded body. */
export interface DownloadedBody {
  ok: true;
  body: Buffer;
  /** The response's Content-Type (default `application/octet-stream`). */
  contentType: string;
}

/** Why a URL was skipped. */
export interface DownloadSkipped {
  ok: false;
  reason: string;
}

/** Options of {@link downloadUrl}. */
export interface DownloadOptions {
  timeoutMs: number;
  maxBytes: number;
  /** Cancels the download; an abort from this signal is rethrown, not reported as a skip. */
  signal?: AbortSignal | undefined;
}

/**
 * GETs `url`. Returns the body, or a reason to skip: `unsupported protocol`, `http <status>`,
 * `timeout after <ms> ms`, `larger than <n> bytes`, `network error: <code>`.
 */
export async function downloadUrl(url: string, options: DownloadOptions): Promise<DownloadedBody | DownloadSkipped> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: 'invalid url' };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return { ok: false, reason: 'unsupported protocol' };
  options.signal?.throwIfAborted();
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const onAbort = (): void => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await fetch(parsed, { signal: controller.signal, redirect: 'follow' });
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      return { ok: false, reason: `http ${response.status}` };
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > options.maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      return { ok: false, reason: `larger than ${options.maxBytes} bytes` };
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body ?? []) {
      size += (chunk as Uint8Array).byteLength;
      if (size > options.maxBytes) break;
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
    if (size > options.maxBytes) {
      controller.abort();
      return { ok: false, reason: `larger than ${options.maxBytes} bytes` };
    }
    return { ok: true, body: Buffer.concat(chunks), contentType: response.headers.get('content-type') ?? 'application/octet-stream' };
  } catch (error) {
    options.signal?.throwIfAborted();
    if (timedOut) return { ok: false, reason: `timeout after ${options.timeoutMs} ms` };
    const cause = (error as { cause?: { code?: string } }).cause;
    return { ok: false, reason: `network error: ${cause?.code ?? (error as Error).name}` };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}
