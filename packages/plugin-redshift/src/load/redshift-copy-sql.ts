/**
 * The text of Redshift's `COPY … FROM 's3://…'`. COPY takes no bound parameters, so every literal in it
 * (S3 URL, IAM role, region, time format) is checked against a strict pattern first and then quoted;
 * identifiers go through {@link qualifiedTable} / {@link quoteIdent}.
 */
import { ValidationError } from '@sluice/core';
import { parseS3Url } from '@sluice/plugin-aws';
import { qualifiedTable, quoteColumnList, type TableRef } from '../identifiers.js';

/** An IAM role ARN, as Redshift's IAM_ROLE takes it. */
export const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
/** An AWS region name, e.g. `us-east-1`, `eu-central-2`, `us-gov-west-1`. */
export const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
/** Redshift TIMEFORMAT: `auto`, `epochsecs`, `epochmillisecs`, or a format of date/time letters and separators. */
const TIME_FORMAT = /^(auto|epochsecs|epochmillisecs|[A-Za-z0-9 :.\-/+]{1,64})$/;

/** How the objects are read. */
export type CopyFormat =
  | { kind: 'json'; /** `s3://…` URL of a JSONPaths file; `'auto ignorecase'` without one. */ jsonPaths?: string | undefined }
  | { kind: 'csv'; delimiter: string; ignoreHeader: number };

/** What {@link renderRedshiftCopy} renders. */
export interface RedshiftCopySpec {
  table: TableRef;
  /** Column list; COPY fills every column (JSON: by name) when omitted. */
  columns?: readonly string[] | undefined;
  /** `s3://bucket/prefix` or, with `manifest`, the manifest object's URL. */
  from: string;
  /** `from` is a manifest listing the objects. */
  manifest?: boolean | undefined;
  /** IAM role ARN, or `default` (the cluster's default role). */
  iamRole: string;
  format: CopyFormat;
  gzip?: boolean | undefined;
  timeFormat?: string | undefined;
  maxError?: number | undefined;
  region?: string | undefined;
  /** TRUNCATECOLUMNS: cut text longer than its column instead of failing. */
  truncateColumns?: boolean | undefined;
}

/** A string literal whose text was already checked: no quote-escaping surprises, no backslashes or controls. */
function literal(text: string, what: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(text)) throw new ValidationError(`${what} holds a backslash or a control character`, what);
  return `'${text.replace(/'/g, "''")}'`;
}

/** `text` when it is an `s3://` URL with a valid bucket and key. @throws ValidationError */
function s3Url(text: string, what: string): string {
  try {
    parseS3Url(text);
  } catch (error) {
    throw new ValidationError(`${what}: ${(error as Error).message}`, what, undefined, { cause: error });
  }
  return literal(text, what);
}

/** The IAM_ROLE clause. @throws ValidationError when `role` is neither an IAM role ARN nor `default`. */
export function iamRoleClause(role: string): string {
  if (role === 'default') return 'IAM_ROLE default';
  if (!IAM_ROLE_ARN.test(role)) {
    throw new ValidationError('iamRole must be an IAM role ARN (arn:aws:iam::<account>:role/<name>) or default', 'iamRole');
  }
  return `IAM_ROLE ${literal(role, 'iamRole')}`;
}

function formatClause(format: CopyFormat): string {
  if (format.kind === 'json') {
    return `FORMAT AS JSON ${format.jsonPaths === undefined ? "'auto ignorecase'" : s3Url(format.jsonPaths, 'jsonPaths')}`;
  }
  if (format.delimiter.length !== 1) throw new ValidationError('the CSV delimiter must be one character', 'csv.delimiter');
  if (!Number.isInteger(format.ignoreHeader) || format.ignoreHeader < 0) throw new ValidationError('csv.ignoreHeader must be an integer >= 0', 'csv.ignoreHeader');
  const parts = ['FORMAT AS CSV', `DELIMITER ${literal(format.delimiter, 'csv.delimiter')}`];
  if (format.ignoreHeader > 0) parts.push(`IGNOREHEADER ${format.ignoreHeader}`);
  return parts.join(' ');
}

/**
 * `COPY "schema"."table" ("a", "b") FROM 's3://…' IAM_ROLE '…' FORMAT AS JSON 'auto ignorecase' …`, one
 * line. Options in a fixed order: MANIFEST, GZIP, TIMEFORMAT, TRUNCATECOLUMNS, MAXERROR, REGION.
 *
 * ```ts
 * renderRedshiftCopy({ table: { schema: 'raw', table: 'posts' }, from: 's3://lake/raw/posts/',
 *   iamRole: 'arn:aws:iam::123456789012:role/load', format: { kind: 'json' }, gzip: true });
 * ```
 * @throws WarehouseIdentifierError for a bad table or column name; ValidationError for a bad URL, role,
 *   region, time format or MAXERROR.
 */
export function renderRedshiftCopy(spec: RedshiftCopySpec): string {
  const parts = [`COPY ${qualifiedTable(spec.table, 'redshift')}`];
  if (spec.columns !== undefined) parts.push(`(${quoteColumnList(spec.columns, 'redshift')})`);
  parts.push(`FROM ${s3Url(spec.from, 'from')}`, iamRoleClause(spec.iamRole), formatClause(spec.format));
  if (spec.manifest) parts.push('MANIFEST');
  if (spec.gzip) parts.push('GZIP');
  if (spec.timeFormat !== undefined) {
    if (!TIME_FORMAT.test(spec.timeFormat)) throw new ValidationError('timeFormat must be auto, epochsecs, epochmillisecs or a date/time format', 'timeFormat');
    parts.push(`TIMEFORMAT ${literal(spec.timeFormat, 'timeFormat')}`);
  }
  if (spec.truncateColumns) parts.push('TRUNCATECOLUMNS');
  if (spec.maxError !== undefined) {
    if (!Number.isInteger(spec.maxError) || spec.maxError < 0) throw new ValidationError('maxError must be an integer >= 0', 'maxError');
    parts.push(`MAXERROR ${spec.maxError}`);
  }
  if (spec.region !== undefined) {
    if (!AWS_REGION.test(spec.region)) throw new ValidationError(`region must be an AWS region name such as us-east-1`, 'region');
    parts.push(`REGION ${literal(spec.region, 'region')}`);
  }
  return parts.join(' ');
}
