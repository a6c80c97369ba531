import * as z from 'zod/mini';
import { CONVERSION_PARTS } from '../domain/action-bodies.js';
import { createSchemaOf } from '../domain/validation.js';
import { NAMED_SCHEMAS } from './route-schemas.js';
import type { HeaderSpec } from './route-types.js';

/** zod schemas → the JSON Schema of the OpenAPI document (openapi.ts): one conversion, with zod's own converter. */
export type Json = Record<string, unknown>;
type Io = 'input' | 'output';

const COMPONENTS = '#/components/schemas/';
export const ref = (name: string) => ({ $ref: `${COMPONENTS}${name}` });

/** A conversion part is validated as a create of its collection, with the lead filling what it requires. */
function conversionPart({ zodSchema, jsonSchema }: { zodSchema: unknown; jsonSchema: Json }) {
  const part = CONVERSION_PARTS.get(zodSchema as z.ZodMiniType);
  if (!part) return;
  const { $schema: _, required: __, ...create } = toJson(createSchemaOf(part.collection), 'input');
  Object.assign(jsonSchema, create, {
    description: `Fields of a create of ${part.collection}; what that requires defaults from the lead`,
  });
}

export function toJson(schema: z.ZodMiniType, io: Io): Json {
  return z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    override: conversionPart,
  }) as Json;
}

export function headersOf(specs: Readonly<Record<string, HeaderSpec>>): Json {
  return Object.fromEntries(
    Object.entries(specs).map(([name, h]) => [
      name,
      { description: h.description, required: h.required ?? false, schema: bare(toJson(h.schema, 'output')) },
    ]),
  );
}
export const bare = ({ $schema: _, ...rest }: Json) => rest;

/** Names the schemas: those route-schemas.ts names, the rest after their operation. */
export class Components {
  private readonly registries = { input: z.registry<{ id: string }>(), output: z.registry<{ id: string }>() };
  private readonly names = new Map<z.ZodMiniType, string>();
  private readonly descriptions = new Map<string, string>();

  constructor() {
    for (const [schema, n] of NAMED_SCHEMAS) this.name(schema, n.io, n.id, n.description);
  }

  name(schema: z.ZodMiniType, io: Io, id: string, description?: string): Json {
    if (!this.names.has(schema)) {
      this.registries[io].add(schema, { id });
      this.names.set(schema, id);
      if (description) this.descriptions.set(id, description);
    }
    return ref(this.names.get(schema)!);
  }

  schemas(): Json {
    const out: Json = {};
    for (const io of ['input', 'output'] as const) {
      const { schemas } = z.toJSONSchema(this.registries[io], {
        io,
        target: 'draft-2020-12',
        unrepresentable: 'any',
        override: conversionPart,
        uri: (id) => `${COMPONENTS}${id}`,
      }) as { schemas: Record<string, Json> };
      for (const [id, { $schema: _, $id: __, ...schema }] of Object.entries(schemas)) {
        if (id in out) throw new Error(`two schemas are named ${id}`);
        const description = this.descriptions.get(id);
        out[id] = description ? { description, ...schema } : schema;
      }
    }
    return out;
  }
}
