/**
 * Partition columns from object keys under a prefix, as a Glue crawler finds them: `key=value` folders
 * become named columns, plain folders `partition_0`, `partition_1`, … (by position). Every object must
 * have the same folder layout.
 */
import { PartitionLayoutError } from './errors.js';
import { inferTextType } from './text-values.js';
import { mergeTypes, types, type Column, type ColumnType } from './schema.js';

/** One folder level: its column name and whether it was `name=value` (named) or plain. */
interface PartitionLevel {
  name: string;
  named: boolean;
  type: ColumnType;
  nullable: boolean;
}

/** Splits one folder segment into its column name and value at position `index`. */
function parseSegment(segment: string, index: number): { name: string; named: boolean; value: string } {
  const eq = segment.indexOf('=');
  if (eq > 0) return { name: decodeSegment(segment.slice(0, eq)), named: true, value: decodeSegment(segment.slice(eq + 1)) };
  return { name: `partition_${index}`, named: false, value: decodeSegment(segment) };
}

/** Hive escapes special characters in partition folders as `%XX`. */
function decodeSegment(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The part of `key` below `prefix` (a prefix that does not end in `/` is treated as a folder). */
export function relativeKey(prefix: string, key: string): string {
  const folder = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  return key.startsWith(folder) ? key.slice(folder.length) : key;
}

/**
 * Collects partition columns key by key, in bounded memory (one entry per folder level). Values are typed
 * like CSV cells (`dt=2026-01-01` → date, `hour=07` → string, `hour=7` → int); an empty value is a null.
 */
export class PartitionDetector {
  private levels: PartitionLevel[] | undefined;
  private firstKey = '';

  constructor(readonly prefix: string) {}

  /** Adds one object key. @throws PartitionLayoutError when its folders differ from the first key's. */
  add(key: string): void {
    const segments = relativeKey(this.prefix, key).split('/').slice(0, -1);
    const parsed = segments.map(parseSegment);
    if (this.levels === undefined) {
      this.firstKey = key;
      this.levels = parsed.map((p) => ({ name: p.name, named: p.named, type: types.null(), nullable: false }));
    }
    const levels = this.levels;
    const layout = (list: readonly { name: string }[]): string => (list.length === 0 ? '(no folders)' : list.map((l) => l.name).join('/'));
    if (parsed.length !== levels.length || parsed.some((p, i) => p.name !== levels[i]?.name || p.named !== levels[i]?.named)) {
      throw new PartitionLayoutError(
        `object '${key}' has partition folders ${layout(parsed)}, but '${this.firstKey}' has ${layout(levels)}; all objects under '${this.prefix}' must share one layout`,
      );
    }
    parsed.forEach((p, i) => {
      const level = levels[i] as PartitionLevel;
      if (p.value === '') level.nullable = true;
      else level.type = mergeTypes(level.type, inferTextType(p.value));
    });
  }

  /** The partition columns found so far, outermost first. A level with only empty values is a string. */
  columns(): Column[] {
    return (this.levels ?? []).map((l) => ({ name: l.name, type: l.type.kind === 'null' ? types.string() : l.type, nullable: l.nullable }));
  }
}

/** Partition columns of `keys` under `prefix` (see {@link PartitionDetector}). */
export function detectPartitionColumns(prefix: string, keys: Iterable<string>): Column[] {
  const detector = new PartitionDetector(prefix);
  for (const key of keys) detector.add(key);
  return detector.columns();
}
