/**
 * A table's primary key and the checks every item must pass before it goes into a BatchWriteItem request:
 * an object, with each key attribute present, non-empty and of the key's type.
 */

/** DynamoDB's scalar key types: string, number, binary. */
export type KeyAttributeType = 'S' | 'N' | 'B';

/** One attribute of a primary key. */
export interface KeyAttribute {
  name: string;
  type: KeyAttributeType;
}

/** A table's primary key: a partition (hash) key and an optional sort (range) key. */
export interface DynamoDbKeySchema {
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute | undefined;
}

/** Why an item cannot be written, and which key attribute is at fault (if one is). */
export interface InvalidItem {
  reason: string;
  attribute?: string | undefined;
}

/** The key's attribute names, partition key first. */
export function keyAttributeNames(schema: DynamoDbKeySchema): string[] {
  return schema.sortKey ? [schema.partitionKey.name, schema.sortKey.name] : [schema.partitionKey.name];
}

function hasKeyType(value: unknown, type: KeyAttributeType): boolean {
  switch (type) {
    case 'S':
      return typeof value === 'string';
    case 'N':
      return (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint';
    case 'B':
      return value instanceof Uint8Array;
  }
}

function isEmptyKeyValue(value: unknown): boolean {
  return (typeof value === 'string' && value === '') || (value instanceof Uint8Array && value.length === 0);
}

/** Returns why `item` cannot be written to a table with this key, or `undefined` when it can. */
export function findInvalidItem(item: unknown, schema: DynamoDbKeySchema): InvalidItem | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return { reason: 'is not an object' };
  const record = item as Record<string, unknown>;
  for (const key of schema.sortKey ? [schema.partitionKey, schema.sortKey] : [schema.partitionKey]) {
    const value = record[key.name];
    if (value === undefined || value === null) return { reason: `has no key attribute '${key.name}'`, attribute: key.name };
    if (!hasKeyType(value, key.type)) {
      return { reason: `key attribute '${key.name}' is not of type ${key.type} (got ${typeof value})`, attribute: key.name };
    }
    if (isEmptyKeyValue(value)) return { reason: `key attribute '${key.name}' is empty`, attribute: key.name };
  }
  return undefined;
}

function keyPart(value: unknown): string {
  if (value instanceof Uint8Array) return `b:${Buffer.from(value).toString('base64')}`;
  return typeof value === 'string' ? `s:${value}` : `n:${String(value)}`;
}

/** A string identifying the item's primary key; equal strings mean DynamoDB sees the same key. Call on valid items only. */
export function primaryKeyOf(item: Record<string, unknown>, schema: DynamoDbKeySchema): string {
  const partition = keyPart(item[schema.partitionKey.name]);
  return schema.sortKey ? JSON.stringify([partition, keyPart(item[schema.sortKey.name])]) : JSON.stringify([partition]);
}
