/**
 * A tiny plugin used by the plugin tests: one operator, one sensor, one hook and one secrets backend,
 * written the way a plugin package would write them.
 */
import { z } from 'zod';
import { defineOperator, defineSensor } from '../../src/authoring/operator.js';
import type { TaskContext } from '../../src/authoring/task.js';
import type { Connection, SecretsBackend } from '../../src/connections/types.js';
import { ValidationError } from '../../src/errors.js';
import { definePlugin } from '../../src/plugins/plugin.js';
import { resolveConnectionExtra, type Hook } from '../../src/plugins/hook.js';

/** `extra` of a `greeter` connection. */
export const greeterExtraSchema = z.object({ punctuation: z.enum(['!', '.']).default('!') });

/** Reads its punctuation from a `greeter` connection. */
export class GreeterHook implements Hook {
  constructor(
    readonly connectionId: string,
    private readonly ctx: Pick<TaskContext, 'getConnection'>,
  ) {}
  async greet(text: string): Promise<string> {
    const extra = await resolveConnectionExtra(await this.ctx.getConnection(this.connectionId), greeterExtraSchema);
    return `${text}${extra.punctuation}`;
  }
}

/** Output of the greet operator. */
export interface Greeting {
  text: string;
  length: number;
}

export const greet = defineOperator({
  name: 'sample.greet',
  fields: z.object({ message: z.string(), connId: z.string().default('greeter_default'), times: z.number().int().min(1).default(1) }),
  templateFields: ['message'],
  async execute(ctx, fields): Promise<Greeting> {
    const text = await new GreeterHook(fields.connId, ctx).greet(fields.message.repeat(fields.times));
    return { text, length: text.length };
  },
});

export const flagSet = defineSensor({
  name: 'sample.flag-set',
  fields: z.object({ variable: z.string() }),
  templateFields: ['variable'],
  async poke(ctx, fields) {
    return (await ctx.getVariable(fields.variable)) === 'true';
  },
});

const memoryBackendOptions = z.object({ connections: z.record(z.string(), z.string()).default({}) });

/** A secrets backend serving connections given as `type://host` strings in its options. */
export function memoryBackend(options: unknown): SecretsBackend {
  const parsed = memoryBackendOptions.safeParse(options);
  if (!parsed.success) throw new ValidationError('sample-memory: options.connections must map ids to URIs', 'connections');
  return {
    name: 'sample-memory',
    getConnection: async (id): Promise<Connection | undefined> => {
      const uri = parsed.data.connections[id];
      if (!uri) return undefined;
      const url = new URL(uri);
      return { id, type: url.protocol.slice(0, -1), host: url.hostname, extra: {} };
    },
    getVariable: async () => undefined,
  };
}

export const plugin = definePlugin({
  manifest: {
    name: '@sluice-test/plugin-sample',
    version: '0.1.0',
    description: 'Test plugin',
    operators: [{ name: 'sample.greet', description: 'Greets' }],
    sensors: [{ name: 'sample.flag-set' }],
    hooks: [{ name: 'GreeterHook', connectionType: 'greeter' }],
    connectionTypes: [{ type: 'greeter', fields: { host: 'Greeter host' }, extraSchema: greeterExtraSchema }],
    secretsBackends: [{ name: 'sample-memory' }],
  },
  secretsBackends: { 'sample-memory': memoryBackend },
});
