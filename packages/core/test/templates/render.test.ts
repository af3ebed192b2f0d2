import { describe, expect, it } from 'vitest';
import { TemplateError } from '../../src/errors.js';
import {
  buildTemplateVariables,
  renderTemplate,
  validateTemplate,
  type TemplateLookups,
  type TemplateVariables,
} from '../../src/templates/render.js';

const vars: TemplateVariables = buildTemplateVariables({
  dagId: 'reddit_daily',
  runId: 'scheduled__2026-01-01T00:00:00+00:00',
  taskId: 'extract',
  logicalDate: new Date('2026-01-01T00:00:00Z'),
  dataIntervalStart: new Date('2026-01-01T00:00:00Z'),
  dataIntervalEnd: new Date('2026-01-02T00:00:00Z'),
  params: {
    table: 'posts',
    nested: { deep: { value: 42 } },
    list: ['a', 'b', 'c'],
    'with-dash': 'dashed',
    empty: '',
    nothing: null,
    flag: false,
  },
});

const variables: Record<string, string> = {
  bucket: 'my-bucket',
  config: '{"region":"eu-west-1","limits":{"max":10},"items":[{"id":7}]}',
  broken: '{"secret": "s3cr3t-value"',
  value: 'named value',
};

const lookups: TemplateLookups = { variable: async (key) => variables[key] };
const render = (template: string, v: TemplateVariables = vars) => renderTemplate(template, v, lookups);

async function renderError(template: string): Promise<TemplateError> {
  const error = await render(template).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TemplateError);
  return error as TemplateError;
}

describe('buildTemplateVariables', () => {
  it('formats the logical date like Airflow, in UTC', () => {
    expect(vars.ds).toBe('2026-01-01');
    expect(vars.ds_nodash).toBe('20260101');
    expect(vars.ts).toBe('2026-01-01T00:00:00+00:00');
    expect(vars.ts_nodash).toBe('20260101T000000');
    expect(vars.logical_date.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(vars.data_interval_end.toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(vars).toMatchObject({ dag_id: 'reddit_daily', task_id: 'extract' });
  });

  it('uses UTC regardless of DST in any local timezone', () => {
    // 01:30 UTC on the day Europe and the US change clocks; still the same UTC day.
    const v = buildTemplateVariables({
      dagId: 'd',
      runId: 'r',
      taskId: 't',
      logicalDate: new Date('2026-03-29T01:30:00Z'),
      dataIntervalStart: new Date('2026-03-29T01:30:00Z'),
      dataIntervalEnd: new Date('2026-03-30T01:30:00Z'),
      params: {},
    });
    expect(v.ds).toBe('2026-03-29');
    expect(v.ts).toBe('2026-03-29T01:30:00+00:00');
    expect(v.ts_nodash).toBe('20260329T013000');
  });

  it('does not depend on the process timezone', () => {
    const saved = process.env.TZ;
    const input = {
      dagId: 'd',
      runId: 'r',
      taskId: 't',
      logicalDate: new Date('2026-11-01T04:30:00Z'),
      dataIntervalStart: new Date('2026-11-01T04:30:00Z'),
      dataIntervalEnd: new Date('2026-11-02T04:30:00Z'),
      params: {},
    };
    try {
      process.env.TZ = 'America/New_York';
      const newYork = buildTemplateVariables(input);
      process.env.TZ = 'Asia/Kolkata';
      const kolkata = buildTemplateVariables(input);
      expect(newYork).toEqual(kolkata);
      expect(newYork.ds).toBe('2026-11-01');
      expect(newYork.ts).toBe('2026-11-01T04:30:00+00:00');
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });

  it('prints milliseconds as Python microseconds only when non-zero', () => {
    const v = buildTemplateVariables({
      dagId: 'd',
      runId: 'r',
      taskId: 't',
      logicalDate: new Date('2026-01-01T12:00:00.250Z'),
      dataIntervalStart: new Date(0),
      dataIntervalEnd: new Date(0),
      params: {},
    });
    expect(v.ts).toBe('2026-01-01T12:00:00.250000+00:00');
    expect(v.ts_nodash).toBe('20260101T120000');
  });

  it('rejects an invalid date', () => {
    expect(() =>
      buildTemplateVariables({
        dagId: 'd',
        runId: 'r',
        taskId: 't',
        logicalDate: new Date('nope'),
        dataIntervalStart: new Date(0),
        dataIntervalEnd: new Date(0),
        params: {},
      }),
    ).toThrow(TemplateError);
  });
});

describe('renderTemplate: vocabulary', () => {
  it.each([
    ['{{ ds }}', '2026-01-01'],
    ['{{ds_nodash}}', '20260101'],
    ['{{ ts }}', '2026-01-01T00:00:00+00:00'],
    ['{{ ts_nodash }}', '20260101T000000'],
    ['{{ logical_date }}', '2026-01-01T00:00:00+00:00'],
    ['{{ data_interval_start }}', '2026-01-01T00:00:00+00:00'],
    ['{{ data_interval_end }}', '2026-01-02T00:00:00+00:00'],
    ['{{ run_id }}', 'scheduled__2026-01-01T00:00:00+00:00'],
    ['{{ dag_id }}', 'reddit_daily'],
    ['{{ task_id }}', 'extract'],
    ['{{ params.table }}', 'posts'],
    ['{{ params.nested.deep.value }}', '42'],
    ['{{ params.list.1 }}', 'b'],
    ['{{ params.list[2] }}', 'c'],
    ["{{ params['with-dash'] }}", 'dashed'],
    ['{{ params["nested"]["deep"].value }}', '42'],
    ['{{ params.list }}', '["a","b","c"]'],
    ['{{ params.nested }}', '{"deep":{"value":42}}'],
    ['{{ params.nothing }}', ''],
    ['{{ params.flag }}', 'false'],
    ['{{ var.value.bucket }}', 'my-bucket'],
    ['{{ var.bucket }}', 'my-bucket'],
    ['{{ var.json.config.region }}', 'eu-west-1'],
    ['{{ var.json.config.limits.max }}', '10'],
    ['{{ var.json.config.items.0.id }}', '7'],
    ['{{ var.json.config }}', '{"region":"eu-west-1","limits":{"max":10},"items":[{"id":7}]}'],
    ['{{ var.value.value }}', 'named value'],
    ["{{ var.value['bucket'] }}", 'my-bucket'],
  ])('%s → %s', async (template, expected) => {
    expect(await render(template)).toBe(expected);
  });

  it('renders text around expressions and several expressions', async () => {
    expect(await render('s3://{{ var.bucket }}/{{ dag_id }}/{{ ds }}/part.json')).toBe(
      's3://my-bucket/reddit_daily/2026-01-01/part.json',
    );
    expect(await render('no templates here')).toBe('no templates here');
    expect(await render('')).toBe('');
    expect(await render('single { brace } and }} closers')).toBe('single { brace } and }} closers');
  });

  it('renders literals', async () => {
    expect(await render("{{ 'text' }}|{{ \"dq\" }}|{{ 12 }}|{{ -1.5 }}|{{ true }}|{{ None }}")).toBe('text|dq|12|-1.5|true|');
    expect(await render("{{ 'it\\'s' }}")).toBe("it's");
  });

  it('supports Jinja whitespace control and comments', async () => {
    expect(await render('a  \n {{- ds -}} \n  b')).toBe('a2026-01-01b');
    expect(await render('a{# a comment with {{ nothing }} #}b')).toBe('ab');
  });

  it('looks each variable up once per render', async () => {
    let calls = 0;
    const counting: TemplateLookups = {
      variable: async (key) => {
        calls++;
        return variables[key];
      },
    };
    expect(await renderTemplate('{{ var.bucket }}-{{ var.value.bucket }}', vars, counting)).toBe('my-bucket-my-bucket');
    expect(calls).toBe(1);
  });
});

describe('renderTemplate: escapes and single pass', () => {
  it('outputs braces through string literals and raw blocks', async () => {
    expect(await render("{{ '{{' }} ds {{ '}}' }}")).toBe('{{ ds }}');
    expect(await render('{% raw %}{{ ds }}{% endraw %}')).toBe('{{ ds }}');
    expect(await render('{%- raw -%}{{ x }} {% x %}{%- endraw -%}!')).toBe('{{ x }} {% x %}!');
  });

  it('never re-renders values that contain template syntax', async () => {
    const v = { ...vars, params: { title: '{{ ds }} {{ var.bucket }} {% raw %}', n: { t: '{{ run_id }}' } } };
    expect(await render('{{ params.title }}', v)).toBe('{{ ds }} {{ var.bucket }} {% raw %}');
    expect(await render('{{ params.n | json }}', v)).toBe('{"t":"{{ run_id }}"}');
    const sneaky: TemplateLookups = { variable: async () => '{{ dag_id }}' };
    expect(await renderTemplate('{{ var.x }}', v, sneaky)).toBe('{{ dag_id }}');
  });
});

describe('renderTemplate: errors', () => {
  it.each([
    ['{{ unknown }}', "unknown variable 'unknown'", 4],
    ['{{ ds | nope }}', "unknown filter 'nope'", 9],
    ['x {{ ds', "unclosed '{{'", 3],
    ['{{ }}', 'empty expression', 4],
    ['{{ ds ds }}', "unexpected 'ds'", 7],
    ["{{ 'open }}", 'unterminated string literal', 4],
    ['{{ ds | }}', 'expected a filter name', 9],
    ['{{ ds | upper( }}', 'expected a value', 16],
    ['{{ params. }}', "expected a name after '.'", 12],
    ['{{ params[x] }}', "expected a string or an index inside '[ ]'", 11],
    ['{{ ds + 1 }}', 'unexpected character "+"', 7],
    ['{% if x %}y{% endif %}', "statements '{% … %}' are not supported", 1],
    ['{# never closed', "unclosed comment '{#'", 1],
    ['{% raw %} never closed', "unclosed '{% raw %}'", 1],
    ["{{ ds | upper('x') }}", "filter 'upper' takes 0 argument(s), got 1", 9],
    ['{{ ds | replace }}', "filter 'replace' takes 2 to 3 argument(s), got 0", 9],
    ['{{ var }}', "'var' needs a variable name", 4],
    ['{{ var.value }}', "'var' needs a variable name", 4],
    ['{{ params.missing }}', "'params.missing' is undefined", 4],
    ['{{ params.table.length }}', "'params.table.length' is undefined", 4],
    ['{{ var.nope }}', "'var.nope' is undefined", 4],
    ['{{ var.json.broken.secret }}', "variable 'broken' is not valid JSON", 4],
    ['{{ params.missing | upper }}', "'params.missing' is undefined (filter 'upper'", 21],
  ])('%s', async (template, message, column) => {
    const error = await renderError(template);
    expect(error.message).toContain(message);
    expect(error.message).toContain(`column ${column} `);
    expect(error.message).toContain(JSON.stringify(template));
  });

  it('names the line of a multi-line template', async () => {
    const error = await renderError('SELECT *\nFROM t\nWHERE d = {{ dss }}');
    expect(error.message).toContain('line 3, column 14');
  });

  it('shows the part of a long template around the error', async () => {
    const error = await renderError(`${'x'.repeat(300)}{{ oops }}${'y'.repeat(300)}`);
    expect(error.message).toContain('line 1, column 304');
    expect(error.message).toMatch(/"\.\.\.x+\{\{ oops \}\}y+\.\.\."/);
  });

  it('never quotes a variable value in an error', async () => {
    const error = await renderError('{{ var.json.broken }}');
    expect(error.message).not.toContain('s3cr3t');
    expect(error.cause).toBeUndefined();
  });

  it('validates a template without rendering it', () => {
    expect(() => validateTemplate('{{ ds | upper }} {{ var.anything }}')).not.toThrow();
    expect(() => validateTemplate('{{ nope }}')).toThrow(TemplateError);
  });

  it('rejects a non-string template', async () => {
    await expect(renderTemplate(42 as unknown as string, vars, lookups)).rejects.toThrow(TemplateError);
  });

  it('lets lookup failures through unchanged', async () => {
    const failing: TemplateLookups = {
      variable: () => Promise.reject(new Error('backend down')),
    };
    await expect(renderTemplate('{{ var.x }}', vars, failing)).rejects.toThrow('backend down');
  });
});
