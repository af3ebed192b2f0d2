/**
 * `value` with object keys sorted (recursively) and `undefined` members dropped, so that
 * `JSON.stringify(canonical(a)) === JSON.stringify(canonical(b))` exactly when `a` and `b` hold the same
 * JSON data, whatever their key order (e.g. a value read back from a jsonb column, which reorders keys).
 */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = canonical(v);
    }
    return out;
  }
  return value;
}
