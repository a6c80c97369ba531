import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Reply } from '../../infra/local/api-client.js';
import { openApiDocument } from '../../shared/http/openapi.js';

/**
 * Checks a reply against the OpenAPI document, as a client generated from it would rely on: the
 * status is one the operation declares, every header it declares required is there and every declared
 * header matches its schema, and the body matches the schema of that status and content type. A
 * request that names no operation must get the gateway's 404 problem.
 */
type Json = Record<string, unknown>;

const DOC_ID = 'openapi';
const pointer = (...segments: string[]) =>
  `${DOC_ID}#/${segments.map((s) => s.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;

interface Operation {
  template: string;
  method: string;
  id: string;
  responses: Record<string, Json>;
}

class Checker {
  private readonly doc = openApiDocument() as {
    paths: Record<string, Record<string, Json>>;
    components: Json;
  };
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  /** Static paths before templated ones, so `/v1/docs` is not read as `/v1/docs/{asset}`. */
  private readonly templates = Object.keys(this.doc.paths)
    .map((template) => ({
      template,
      params: (template.match(/\{/g) ?? []).length,
      regex: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{\w+\}/g, '[^/]+')}$`),
    }))
    .sort((a, b) => a.params - b.params);

  constructor() {
    addFormats.default(this.ajv);
    this.ajv.addSchema(this.doc, DOC_ID);
  }

  operationOf(method: string, path: string): Operation | undefined {
    const bare = path.split('?')[0]!;
    for (const { template, regex } of this.templates) {
      if (!regex.test(bare)) continue;
      const op = this.doc.paths[template]![method.toLowerCase()];
      if (!op) return undefined;
      return {
        template,
        method: method.toLowerCase(),
        id: String(op.operationId),
        responses: op.responses as never,
      };
    }
    return undefined;
  }

  /** The response object and where it is: an operation's own, or a shared one it refers to. */
  private responseOf(op: Operation, status: string): { at: string[]; response: Json } | undefined {
    const response = op.responses[status];
    if (!response) return undefined;
    const target = response.$ref as string | undefined;
    if (!target) return { at: ['paths', op.template, op.method, 'responses', status], response };
    const at = target.slice(2).split('/');
    return { at, response: at.reduce<Json>((node, key) => node[key] as Json, this.doc as Json) };
  }

  private validate(at: string[], value: unknown, what: string): string[] {
    const check = this.ajv.getSchema(pointer(...at));
    if (!check) return [`${what}: no schema at ${at.join('/')}`];
    if (check(value)) return [];
    return (check.errors ?? []).map(
      (e: ErrorObject) => `${what}${e.instancePath || ''}: ${e.message} ${JSON.stringify(e.params)}`,
    );
  }

  violations(method: string, path: string, reply: Reply<unknown>): { operation: string; problems: string[] } {
    const op = this.operationOf(method, path);
    if (!op) {
      // No such operation: only the gateway's "No such route" may answer.
      const problems =
        reply.status === 404 ? [] : [`status ${reply.status} for a route the document does not have`];
      return {
        operation: '(no operation)',
        problems: [...problems, ...this.validate(['components', 'schemas', 'Problem'], reply.body, 'body')],
      };
    }
    const status = String(reply.status);
    const found = this.responseOf(op, status);
    if (!found)
      return {
        operation: op.id,
        problems: [`status ${status} is not declared (declared: ${Object.keys(op.responses).join(', ')})`],
      };
    const problems: string[] = [];
    for (const [name, header] of Object.entries((found.response.headers ?? {}) as Record<string, Json>)) {
      const value = reply.headers.get(name);
      if (value === null) {
        if (header.required) problems.push(`header ${name} is missing`);
        continue;
      }
      problems.push(...this.validate([...found.at, 'headers', name, 'schema'], value, `header ${name}`));
    }
    const content = found.response.content as Record<string, Json> | undefined;
    const type = reply.headers.get('content-type')?.split(';')[0]?.trim();
    if (!content) {
      if (reply.body !== undefined) problems.push(`a body, where the document declares none`);
    } else if (!type || !content[type]) {
      problems.push(
        `content-type ${type ?? '(none)'} is not declared (declared: ${Object.keys(content).join(', ')})`,
      );
    } else {
      problems.push(...this.validate([...found.at, 'content', type, 'schema'], reply.body, 'body'));
    }
    return { operation: op.id, problems };
  }
}

let checker: Checker | undefined;

/** Throws when the reply breaks the document, naming the operation, the status and every mismatch. */
export function assertReplyMatchesDocument(method: string, path: string, reply: Reply<unknown>): void {
  checker ??= new Checker();
  const { operation, problems } = checker.violations(method, path, reply);
  if (problems.length === 0) return;
  throw new Error(
    `The reply breaks the OpenAPI document: ${method} ${path} → ${reply.status} (${operation})\n` +
      `${problems.map((p) => `  - ${p}`).join('\n')}\n  body: ${JSON.stringify(reply.body)?.slice(0, 500)}`,
  );
}
