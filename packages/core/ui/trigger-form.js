// @ts-check
/** The trigger form, generated from the DAG's params JSON Schema; the server's validation message is shown at the field. */
import { useMemo, useState } from 'preact/hooks';
import { api, ApiError, errorMessage, isReadOnly, READ_ONLY_TITLE, seg } from './api.js';
import { href, html } from './html.js';

/** @typedef {import('./api.js').DagDetail} DagDetail */
/** @typedef {import('./api.js').JsonSchema} JsonSchema */
/** @typedef {'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'string-array' | 'json'} FieldKind */
/** @typedef {{ name: string, kind: FieldKind, schema: JsonSchema, required: boolean, hasDefault: boolean }} Field */
/** @typedef {Record<string, string | boolean>} FormValues */

/** The schema's own type, ignoring a `null` alternative. @param {JsonSchema} schema @returns {JsonSchema} */
function nonNull(schema) {
  if (schema.anyOf) {
    const rest = schema.anyOf.filter((s) => s.type !== 'null');
    if (rest.length === 1 && rest[0]) return { ...rest[0], default: schema.default ?? rest[0].default, description: schema.description ?? rest[0].description };
  }
  return schema;
}

/** @param {JsonSchema} raw @returns {FieldKind} */
export function fieldKind(raw) {
  const schema = nonNull(raw);
  if (Array.isArray(schema.enum) && schema.enum.every((v) => typeof v === 'string' || typeof v === 'number')) return 'enum';
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  if (type === 'string' || type === 'number' || type === 'integer' || type === 'boolean') return type;
  if (type === 'array' && schema.items && nonNull(schema.items).type === 'string') return 'string-array';
  return 'json';
}

/**
 * The fields of a params schema in the DAG's declaration order (`x-order` when the server sends it, else the
 * order of `properties`).
 * @param {JsonSchema | null} schema @returns {Field[]}
 */
export function schemaFields(schema) {
  const required = new Set(schema?.required ?? []);
  const properties = schema?.properties ?? {};
  const declared = (schema?.['x-order'] ?? []).filter((name) => name in properties);
  const names = [...declared, ...Object.keys(properties).filter((name) => !declared.includes(name))];
  return names.map((name) => {
    const s = /** @type {JsonSchema} */ (properties[name]);
    const hasDefault = nonNull(s).default !== undefined;
    return { name, kind: fieldKind(s), schema: nonNull(s), required: required.has(name) && !hasDefault, hasDefault };
  });
}

/** The initial form value of a field. @param {Field} field @param {unknown} fallback */
function initialValue(field, fallback) {
  const value = field.schema.default !== undefined ? field.schema.default : fallback;
  if (field.kind === 'boolean') return value === true;
  if (value === undefined || value === null) return '';
  if (field.kind === 'string-array') return Array.isArray(value) ? value.map(String).join('\n') : '';
  if (field.kind === 'json') return JSON.stringify(value, null, 2);
  return String(value);
}

/** Human hints for a field (type and bounds). @param {Field} field */
function hints(field) {
  const s = field.schema;
  /** @type {string[]} */
  const out = [];
  if (field.kind === 'integer') out.push('integer');
  if (field.kind === 'number') out.push('number');
  if (field.kind === 'string-array') out.push('one value per line');
  if (field.kind === 'json') out.push('JSON');
  const safe = (/** @type {number | undefined} */ n) => n !== undefined && Math.abs(n) < Number.MAX_SAFE_INTEGER;
  if (safe(s.minimum)) out.push(`≥ ${s.minimum}`);
  if (safe(s.maximum)) out.push(`≤ ${s.maximum}`);
  if (s.minLength !== undefined && s.minLength > 0) out.push(`at least ${s.minLength} characters`);
  if (s.maxLength !== undefined) out.push(`at most ${s.maxLength} characters`);
  if (s.pattern) out.push(`matches ${s.pattern}`);
  if (field.required) out.push('required');
  else if (field.hasDefault) out.push(`default ${JSON.stringify(s.default)}`);
  return out.join(', ');
}

/**
 * Builds `conf` from the form values; client-side errors (by field) block the submit, everything else is
 * left to the server. Empty optional fields are left out so the DAG's defaults apply.
 * @param {Field[]} fields @param {FormValues} values
 * @returns {{ conf: Record<string, unknown>, errors: Record<string, string> }}
 */
export function buildConf(fields, values) {
  /** @type {Record<string, unknown>} */
  const conf = {};
  /** @type {Record<string, string>} */
  const errors = {};
  for (const f of fields) {
    const raw = values[f.name];
    if (f.kind === 'boolean') {
      conf[f.name] = raw === true;
      continue;
    }
    const text = typeof raw === 'string' ? raw : '';
    if (text.trim() === '') {
      if (f.required) errors[f.name] = 'required';
      continue;
    }
    if (f.kind === 'integer' || f.kind === 'number') {
      const n = Number(text);
      if (!Number.isFinite(n)) errors[f.name] = 'not a number';
      else if (f.kind === 'integer' && !Number.isInteger(n)) errors[f.name] = 'must be an integer';
      else conf[f.name] = n;
    } else if (f.kind === 'enum') {
      conf[f.name] = (f.schema.enum ?? []).find((v) => String(v) === text) ?? text;
    } else if (f.kind === 'string-array') {
      conf[f.name] = text.split('\n').map((l) => l.trim()).filter(Boolean);
    } else if (f.kind === 'json') {
      try {
        conf[f.name] = JSON.parse(text);
      } catch {
        errors[f.name] = 'invalid JSON';
      }
    } else {
      conf[f.name] = text;
    }
  }
  return { conf, errors };
}

/** The field a server error names (`conf.subreddit`, `params.subreddit.0` → `subreddit`). @param {string | undefined} field */
function fieldOfServerError(field) {
  if (!field) return undefined;
  const parts = field.split('.');
  if (parts[0] === 'conf' || parts[0] === 'params') parts.shift();
  return parts[0];
}

/** @param {{ field: Field, value: string | boolean, error: string | undefined, onValue: (v: string | boolean) => void }} props */
function FieldInput({ field, value, error, onValue }) {
  const id = `param-${field.name}`;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hintId, error ? errorId : ''].filter(Boolean).join(' ');
  const common = { id, name: field.name, 'aria-describedby': describedBy, 'aria-invalid': error ? 'true' : undefined };
  /** @param {Event} e */
  const onText = (e) => onValue(/** @type {HTMLInputElement} */ (e.currentTarget).value);
  let control;
  if (field.kind === 'boolean') {
    control = html`<input ...${common} type="checkbox" checked=${value === true}
      onChange=${(/** @type {Event} */ e) => onValue(/** @type {HTMLInputElement} */ (e.currentTarget).checked)} />`;
  } else if (field.kind === 'enum') {
    control = html`<select ...${common} value=${String(value)} onChange=${onText}>
      ${field.required || field.hasDefault ? null : html`<option value="">—</option>`}
      ${(field.schema.enum ?? []).map((v) => html`<option key=${String(v)} value=${String(v)}>${String(v)}</option>`)}
    </select>`;
  } else if (field.kind === 'string-array' || field.kind === 'json') {
    control = html`<textarea ...${common} rows="4" value=${String(value)} onInput=${onText}></textarea>`;
  } else {
    const numeric = field.kind === 'integer' || field.kind === 'number';
    control = html`<input ...${common} type="text" inputmode=${numeric ? 'decimal' : undefined} value=${String(value)} onInput=${onText} />`;
  }
  return html`<div class=${`field ${error ? 'invalid' : ''}`}>
    <label for=${id}>${field.schema.title ?? field.name}${field.required ? html`<span aria-hidden="true"> *</span>` : null}</label>
    ${control}
    <small id=${hintId} class="muted">${[field.schema.description, hints(field)].filter(Boolean).join(' — ')}</small>
    ${error ? html`<small id=${errorId} class="field-error" role="alert">${error}</small>` : null}
  </div>`;
}

/** @param {{ dag: DagDetail }} props */
export function TriggerForm({ dag }) {
  const fields = useMemo(() => schemaFields(dag.paramsSchema), [dag.dagId, JSON.stringify(dag.paramsSchema)]);
  const [values, setValues] = useState(
    /** @type {() => FormValues} */ (() => Object.fromEntries(fields.map((f) => [f.name, initialValue(f, dag.paramsDefaults?.[f.name])]))),
  );
  const [logicalDate, setLogicalDate] = useState('');
  const [runId, setRunId] = useState('');
  const [fieldErrors, setFieldErrors] = useState(/** @type {Record<string, string>} */ ({}));
  const [formError, setFormError] = useState(/** @type {string | null} */ (null));
  const [busy, setBusy] = useState(false);

  /** @param {Event} event */
  const submit = async (event) => {
    event.preventDefault();
    const { conf, errors } = buildConf(fields, values);
    setFieldErrors(errors);
    setFormError(null);
    if (Object.keys(errors).length > 0) return;
    setBusy(true);
    try {
      /** @type {Record<string, unknown>} */
      const body = { conf };
      if (logicalDate.trim()) body.logicalDate = new Date(logicalDate.trim()).toISOString();
      if (runId.trim()) body.runId = runId.trim();
      await api(`/dags/${seg(dag.dagId)}/runs`, { method: 'POST', body });
      location.hash = href('dags', dag.dagId);
    } catch (error) {
      const name = error instanceof ApiError ? fieldOfServerError(error.field) : undefined;
      if (name && fields.some((f) => f.name === name)) setFieldErrors({ [name]: errorMessage(error) });
      else setFormError(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };

  return html`<section class="panel narrow" aria-label="Trigger">
    <h2>Trigger ${dag.dagId}</h2>
    <form onSubmit=${submit} noValidate aria-label=${`Trigger ${dag.dagId}`}>
      ${fields.length === 0 ? html`<p class="muted">This DAG has no params.</p>` : null}
      ${fields.map(
        (f) => html`<${FieldInput} key=${f.name} field=${f} value=${values[f.name] ?? ''} error=${fieldErrors[f.name]}
          onValue=${(/** @type {string | boolean} */ v) => setValues((old) => ({ ...old, [f.name]: v }))} />`,
      )}
      <details class="advanced">
        <summary>Logical date and run id</summary>
        <div class="field">
          <label for="trigger-logical-date">Logical date</label>
          <input id="trigger-logical-date" type="text" placeholder="now (e.g. 2026-01-02T00:00:00Z)" value=${logicalDate}
            onInput=${(/** @type {Event} */ e) => setLogicalDate(/** @type {HTMLInputElement} */ (e.currentTarget).value)} />
        </div>
        <div class="field">
          <label for="trigger-run-id">Run id</label>
          <input id="trigger-run-id" type="text" placeholder="manual__<logical date>" value=${runId}
            onInput=${(/** @type {Event} */ e) => setRunId(/** @type {HTMLInputElement} */ (e.currentTarget).value)} />
        </div>
      </details>
      ${formError ? html`<p class="error" role="alert">${formError}</p>` : null}
      <div class="actions">
        <button type="submit" class="primary" disabled=${busy || isReadOnly()} title=${isReadOnly() ? READ_ONLY_TITLE : undefined}>Trigger</button>
        <a href=${href('dags', dag.dagId)}>Cancel</a>
      </div>
    </form>
  </section>`;
}
