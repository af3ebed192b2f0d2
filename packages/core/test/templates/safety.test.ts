import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TemplateError } from '../../src/errors.js';
import { buildTemplateVariables, renderTemplate, type TemplateVariables } from '../../src/templates/render.js';

class WithGetter {
  secretCalls = 0;
  get exposed(): string {
    this.secretCalls++;
    return 'from getter';
  }
}

const withGetter = new WithGetter();
const accessor = Object.defineProperty({}, 'computed', {
  enumerable: true,
  get: () => {
    throw new Error('getter must not run');
  },
});
const hidden = Object.defineProperty({}, 'hidden', { enumerable: false, value: 'invisible' });
const cyclic: Record<string, unknown> = { name: 'loop' };
cyclic.self = cyclic;

const vars: TemplateVariables = buildTemplateVariables({
  dagId: 'd',
  runId: 'r',
  taskId: 't',
  logicalDate: new Date('2026-01-01T00:00:00Z'),
  dataIntervalStart: new Date('2026-01-01T00:00:00Z'),
  dataIntervalEnd: new Date('2026-01-02T00:00:00Z'),
  params: { withGetter, accessor, hidden, cyclic, fn: () => 'called', list: [1], text: 'abc' },
});
const lookups = { variable: async (key: string) => (key === 'j' ? '{"__proto__":{"polluted":1},"a":1}' : undefined) };
const render = (template: string) => renderTemplate(template, vars, lookups);

async function expectTemplateError(template: string, message?: string): Promise<void> {
  const error = await render(template).catch((e: unknown) => e);
  expect(error, template).toBeInstanceOf(TemplateError);
  if (message) expect((error as Error).message).toContain(message);
}

describe('template safety', () => {
  it.each([
    '{{ params.__proto__ }}',
    '{{ params.constructor }}',
    "{{ constructor.constructor('x')() }}",
    "{{ params['__proto__'] }}",
    "{{ params['constructor'] }}",
    '{{ params.list.constructor.prototype }}',
    '{{ params.__defineGetter__ }}',
    '{{ var.json.j.__proto__.polluted }}',
    '{{ __proto__ }}',
    '{{ prototype }}',
  ])('blocks prototype access: %s', async (template) => {
    await expectTemplateError(template, 'is not allowed');
  });

  it.each([
    ["{{ ds.replace('a', 'b') }}", 'function calls are not allowed'],
    ['{{ params.fn() }}', 'function calls are not allowed'],
    ["{{ ds | constructor }}", "unknown filter 'constructor'"],
    ['{{ ds | toString }}', "unknown filter 'toString'"],
    ['{{ ds | hasOwnProperty }}', "unknown filter 'hasOwnProperty'"],
    ['{{ toString }}', "unknown variable 'toString'"],
    ['{{ process.env }}', "unknown variable 'process'"],
    ['{{ globalThis }}', "unknown variable 'globalThis'"],
    ['{{ params.text.length }}', "'params.text.length' is undefined"],
    ['{{ params.list.length }}', "'params.list.length' is undefined"],
    ['{{ params.text.toString }}', "'params.text.toString' is undefined"],
    ['{{ params.withGetter.exposed }}', "'params.withGetter.exposed' is undefined"],
    ['{{ params.accessor.computed }}', "'params.accessor.computed' is undefined"],
    ['{{ params.hidden.hidden }}', "'params.hidden.hidden' is undefined"],
    ['{{ params.fn }}', 'cannot print a function'],
    ['{{ params.cyclic }}', 'cyclic'],
    ['{{ params.cyclic | json }}', 'cyclic'],
    ['{{ ds | json | json | upper | nope }}', "unknown filter 'nope'"],
  ])('%s is a TemplateError', async (template, message) => {
    await expectTemplateError(template, message);
  });

  it('never runs getters, toJSON or other methods of values', async () => {
    const toJsonCalled: string[] = [];
    const v = {
      ...vars,
      params: {
        obj: {
          a: 1,
          toJSON: () => {
            toJsonCalled.push('x');
            return 'hacked';
          },
        },
        accessor,
        withGetter,
      },
    };
    expect(await renderTemplate('{{ params.obj }}', v, lookups)).toBe('{"a":1}');
    expect(await renderTemplate('{{ params.accessor }}', v, lookups)).toBe('{}');
    expect(await renderTemplate('{{ params.withGetter }}', v, lookups)).toBe('{"secretCalls":0}');
    expect(toJsonCalled).toEqual([]);
    expect(withGetter.secretCalls).toBe(0);
  });

  it('does not pollute Object.prototype through JSON variables', async () => {
    expect(await render('{{ var.json.j.a }}')).toBe('1');
    expect(await render('{{ var.json.j }}')).toBe('{"__proto__":{"polluted":1},"a":1}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('random strings render or fail with TemplateError only, quickly', async () => {
    const fragments = fc.constantFrom(
      '{{',
      '}}',
      '{%',
      '%}',
      '{#',
      '#}',
      '-}}',
      '{{-',
      '|',
      '(',
      ')',
      '[',
      ']',
      '.',
      ',',
      "'",
      '"',
      '\\',
      ' ',
      '\n',
      'ds',
      'params',
      'var',
      'value',
      'json',
      'j',
      'text',
      'list',
      '0',
      '-1',
      'upper',
      'default',
      'date',
      'add_days',
      'replace',
      'raw',
      'endraw',
      '__proto__',
      'constructor',
    );
    const templates = fc.oneof(fc.string({ maxLength: 80 }), fc.array(fragments, { maxLength: 40 }).map((a) => a.join('')));
    await fc.assert(
      fc.asyncProperty(templates, async (template) => {
        const started = Date.now();
        try {
          const out = await render(template);
          expect(typeof out).toBe('string');
        } catch (error) {
          expect(error).toBeInstanceOf(TemplateError);
        }
        expect(Date.now() - started).toBeLessThan(250);
      }),
      { numRuns: 3000 },
    );
  });

  it('renders a large template in linear time', async () => {
    const template = '{{ ds }} text '.repeat(20_000) + '{{ "' + 'x'.repeat(100_000) + '" }}';
    const started = Date.now();
    const out = await render(template);
    expect(out.length).toBeGreaterThan(300_000);
    expect(Date.now() - started).toBeLessThan(2_000);
    await expectTemplateError('{{ '.repeat(10_000));
  });
});
