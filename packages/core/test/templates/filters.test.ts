import { describe, expect, it } from 'vitest';
import { TemplateError } from '../../src/errors.js';
import { buildTemplateVariables, renderTemplate } from '../../src/templates/render.js';

const vars = buildTemplateVariables({
  dagId: 'etl',
  runId: 'manual__1',
  taskId: 'load',
  logicalDate: new Date('2026-03-04T05:06:07.089Z'),
  dataIntervalStart: new Date('2026-03-04T00:00:00Z'),
  dataIntervalEnd: new Date('2026-03-05T00:00:00Z'),
  params: {
    name: '  Mixed Case  ',
    empty: '',
    zero: 0,
    nothing: null,
    items: [],
    obj: { q: 'a b/c', n: 1 },
    path: 'a b/c?d=e&f',
    day: '2026-02-28',
    compact: '20260228',
    stamp: '2026-02-28T23:00:00+02:00',
    bad: 'not a date',
  },
});
const lookups = { variable: async (key: string) => (key === 'greeting' ? 'hi' : undefined) };
const render = (template: string) => renderTemplate(template, vars, lookups);

describe('filters', () => {
  it.each([
    ['{{ params.name | upper }}', '  MIXED CASE  '],
    ['{{ params.name | lower }}', '  mixed case  '],
    ['{{ params.name | trim }}', 'Mixed Case'],
    ['{{ params.name | trim | upper }}', 'MIXED CASE'],
    ['{{ dag_id | upper }}', 'ETL'],
    ["{{ params.missing | default('x') }}", 'x'],
    ["{{ params.missing.deeper | default('x') }}", 'x'],
    ["{{ params.nothing | default('x') }}", 'x'],
    ["{{ params.empty | default('x') }}", ''],
    ["{{ params.empty | default('x', true) }}", 'x'],
    ["{{ params.zero | default('x', true) }}", 'x'],
    ["{{ params.items | default('x', true) }}", 'x'],
    ["{{ params.name | default('x') | trim }}", 'Mixed Case'],
    ['{{ params.missing | default(ds) }}', '2026-03-04'],
    ['{{ params.missing | default(var.greeting) }}', 'hi'],
    ['{{ var.absent | d(5) }}', '5'],
    ['{{ params.missing | default }}', ''],
    ["{{ logical_date | date('YYYY/MM/DD') }}", '2026/03/04'],
    ["{{ logical_date | date('YYYY-MM-DDTHH:mm:ss.SSS') }}", '2026-03-04T05:06:07.089'],
    ["{{ data_interval_end | date('DD.MM.YYYY') }}", '05.03.2026'],
    ["{{ ds | date('YYYYMM') }}", '202603'],
    ["{{ ts | date('HH:mm') }}", '05:06'],
    ["{{ params.stamp | date('YYYY-MM-DD HH') }}", '2026-02-28 21'],
    ["{{ logical_date | strftime('%Y-%m-%d %H:%M:%S.%f %j %y %z %Z %%') }}", '2026-03-04 05:06:07.089000 063 26 +0000 UTC %'],
    ['{{ ds | nodash }}', '20260304'],
    ['{{ logical_date | nodash }}', '20260304'],
    ['{{ params.obj | json }}', '{"q":"a b/c","n":1}'],
    ['{{ params.name | tojson }}', '"  Mixed Case  "'],
    ['{{ logical_date | json }}', '"2026-03-04T05:06:07.089000+00:00"'],
    ['{{ params.nothing | json }}', 'null'],
    ['{{ params.path | urlencode }}', 'a%20b/c%3Fd%3De%26f'],
    ['{{ params.obj | urlencode }}', 'q=a+b%2Fc&n=1'],
    ["{{ ds | replace('-', '/') }}", '2026/03/04'],
    ["{{ ds | replace('-', '', 1) }}", '202603-04'],
    ["{{ params.name | replace(' ', '') }}", 'MixedCase'],
    ['{{ logical_date | add_days(1) }}', '2026-03-05T05:06:07.089000+00:00'],
    ['{{ ds | add_days(-4) }}', '2026-02-28'],
    ['{{ params.day | add_days(1) }}', '2026-03-01'],
    ['{{ params.compact | add_days(1) }}', '20260301'],
    ["{{ ts | add_days(30) | date('YYYY-MM-DD') }}", '2026-04-03'],
    ['{{ params.stamp | add_days(0) }}', '2026-02-28T21:00:00+00:00'],
    ["{{ data_interval_start | add_days(-1) | date('YYYYMMDD') }}", '20260303'],
  ])('%s → %s', async (template, expected) => {
    expect(await render(template)).toBe(expected);
  });

  it('adds days in UTC across DST changes (always 24h)', async () => {
    const v = buildTemplateVariables({
      dagId: 'd',
      runId: 'r',
      taskId: 't',
      logicalDate: new Date('2026-03-28T23:30:00Z'),
      dataIntervalStart: new Date(0),
      dataIntervalEnd: new Date(0),
      params: {},
    });
    expect(await renderTemplate('{{ logical_date | add_days(1) }}', v, lookups)).toBe('2026-03-29T23:30:00+00:00');
    expect(await renderTemplate('{{ ds | add_days(1) }}', v, lookups)).toBe('2026-03-29');
  });

  it.each([
    ["{{ params.bad | date('YYYY') }}", "filter 'date' needs a date"],
    ["{{ params.zero | date('YYYY') }}", "filter 'date' needs a date, got number"],
    ['{{ logical_date | date(5) }}', "filter 'date' argument 1 must be a string"],
    ["{{ logical_date | strftime('%Q') }}", "does not support the directive '%Q'"],
    ['{{ ds | add_days(1.5) }}', "filter 'add_days' argument 1 must be an integer"],
    ["{{ ds | add_days('1') }}", "filter 'add_days' argument 1 must be an integer"],
    ['{{ params.obj | add_days(1) }}', "filter 'add_days' needs a date, got object"],
    ["{{ ds | replace('', 'x') }}", "filter 'replace' needs a non-empty string"],
    ["{{ ds | replace('-', '/', 'all') }}", "filter 'replace' argument 3 must be an integer"],
    ['{{ params.missing | json }}', "'params.missing' is undefined"],
    ["{{ ds | replace(params.missing, 'x') }}", "'params.missing' is undefined"],
    ["{{ '2026-02-30' | add_days(1) }}", "filter 'add_days' needs a date"],
    ['{{ ds | add_days(999999999) }}', 'add_days moved the date out of range'],
  ])('%s fails', async (template, message) => {
    const error = await render(template).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemplateError);
    expect((error as Error).message).toContain(message);
  });
});
