import type { Column, ColumnType } from '../crawler/schema.js';

/** Glue / Hive column type of a crawler type (`struct<a:int,b:array<string>>`). Only-null columns become `string`. */
export function hiveType(type: ColumnType): string {
  switch (type.kind) {
    case 'array':
      return `array<${hiveType(type.element)}>`;
    case 'struct':
      return `struct<${type.fields.map((f) => `${f.name}:${hiveType(f.type)}`).join(',')}>`;
    case 'null':
      return 'string';
    default:
      return type.kind;
  }
}

/** Glue columns (`{ Name, Type }`) of crawler columns. */
export function glueColumns(columns: readonly Column[]): { Name: string; Type: string }[] {
  return columns.map((c) => ({ Name: c.name, Type: hiveType(c.type) }));
}

/** The Glue storage descriptor parts for a crawled format (what a Glue crawler writes for JSON and CSV). */
export function glueFormat(format: string): { InputFormat: string; OutputFormat: string; SerdeInfo: { SerializationLibrary: string; Parameters: Record<string, string> } } {
  const text = { InputFormat: 'org.apache.hadoop.mapred.TextInputFormat', OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat' };
  if (format === 'csv') {
    return { ...text, SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe', Parameters: { 'field.delim': ',', 'skip.header.line.count': '1' } } };
  }
  return { ...text, SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe', Parameters: { paths: '' } } };
}
