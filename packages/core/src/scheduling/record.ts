/**
 * `record[key]` if `key` is the record's own property, else undefined — so ids such as `constructor` or
 * `toString` never read `Object.prototype`.
 */
export function ownValue<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}
