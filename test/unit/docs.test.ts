import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STREAM_CONSUMER_NAMES, STREAM_CONSUMERS } from '../../shared/config/streams.js';
import { COLLECTION_NAMES, COLLECTIONS, SERVER_FIELDS } from '../../shared/domain/collections.js';
import { DEPARTMENT_RULES } from '../../shared/events/rules.js';
import { ROUTES } from '../../shared/http/routes.js';
import { MATRIX } from '../../shared/policy/matrix.js';

/**
 * The docs stand on their own, so they must say what the code does: where that is cheap to check, this
 * checks it (routes, fields, defaults, enum values, the matrix, the rules, the stream settings).
 */
/** The product's guide beside the repository: no file of the repository may send a reader there. */
const OUTSIDE_FILES = new RegExp(['\\bAPI', 'DESIGN'].map((name) => `${name}\\.md`).join('|'));
const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const api = read('docs/api.md');
const events = read('docs/events.md');

/** The text under a markdown heading, up to the next heading of the same or a higher level. */
function section(md: string, heading: string): string {
  const lines = md.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`no heading "${heading}"`);
  const level = heading.indexOf(' ');
  const end = lines.findIndex((l, i) => i > start && /^#+ /.test(l) && l.indexOf(' ') <= level);
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** The table row whose first cell starts with `first`. */
const rowOf = (text: string, first: string) => text.split('\n').find((l) => l.startsWith(`| ${first}`));

type Def = { type: string; innerType?: { _zod: { def: Def } }; entries?: Record<string, string> };
/** The values an enum field takes (through `optional`), or none. */
function enumValues(schema: unknown): string[] {
  let def = (schema as { _zod: { def: Def } })._zod.def;
  while (def.innerType && def.type !== 'enum') def = def.innerType._zod.def;
  return def.type === 'enum' ? Object.keys(def.entries ?? {}) : [];
}

describe('docs/api.md', () => {
  it.each(ROUTES.map((r) => [`${r.method} ${r.path}`]))('names the route %s', (route) => {
    expect(api).toContain(`\`${route}\``);
  });

  it('names every server field under Records', () => {
    const records = section(api, '## Records');
    for (const field of SERVER_FIELDS) expect(records).toContain(`\`${field}\``);
  });

  it.each(COLLECTION_NAMES.map((c) => [c]))(
    'documents every field of %s: required mark, default and allowed values',
    (collection) => {
      const text = section(api, `### ${collection}`);
      const def = COLLECTIONS[collection];
      for (const [field, schema] of Object.entries(def.fields)) {
        const row = rowOf(text, `\`${field}\``);
        expect(row, `${collection}.${field} has a row`).toBeDefined();
        const required = def.required.includes(field);
        expect(row!.startsWith(`| \`${field}\`\\*`), `${collection}.${field} required mark`).toBe(required);
        for (const value of enumValues(schema))
          expect(row, `${field} value ${value}`).toContain(`\`${value}\``);
        const fallback = def.defaults?.[field];
        if (fallback !== undefined) expect(row, `${field} default`).toContain(`\`${String(fallback)}\``);
      }
    },
  );

  it.each(COLLECTION_NAMES.map((c) => [c]))('gives the permission matrix row of %s', (collection) => {
    const row = rowOf(section(api, '## Permissions'), collection);
    expect(row).toBeDefined();
    const [, , read, write, home] = row!.split('|').map((cell) => cell.trim());
    const rules = MATRIX[collection];
    const names = (list: readonly string[] | 'all') => (list === 'all' ? ['all departments'] : list);
    for (const dept of names(rules.read)) expect(read).toContain(dept);
    if (rules.managersRead) expect(read).toContain('managers of any department');
    for (const dept of names(rules.write)) expect(write).toContain(dept);
    expect(home).toBe(rules.homeDept);
  });

  it('lists every field of .local/stack.json', () => {
    // StackInfo is a type only: its field names are read from its source.
    const source = read('infra/local/stack-info.ts');
    const fields = [...source.matchAll(/^ {2,4}(\w+)\??:/gm)].map((m) => m[1]!);
    const table = section(api, '## The local stack');
    expect(fields.length).toBeGreaterThan(10);
    for (const field of fields) expect(table).toMatch(new RegExp(`\`(auth\\.)?${field}[\`.]`));
  });
});

describe('docs/events.md', () => {
  it.each(DEPARTMENT_RULES.map((r) => [r.name, r] as const))('has the rule %s as it is', (name, rule) => {
    const row = rowOf(events, `\`${name}\``);
    expect(row).toBeDefined();
    expect(row).toContain(`| ${rule.department} |`);
    const types = (rule.pattern['detail-type'] ?? []) as (string | { prefix: string })[];
    for (const t of types) expect(row).toContain(typeof t === 'string' ? `\`${t}\`` : `\`${t.prefix}*\``);
  });

  it.each(STREAM_CONSUMER_NAMES.map((n) => [n]))(
    "gives %s's stream settings, filter and DLQ as configured",
    (name) => {
      const settings = STREAM_CONSUMERS[name];
      const header = rowOf(events, 'setting |')!
        .split('|')
        .map((cell) => cell.trim());
      const column = header.indexOf(`\`${name}\``);
      expect(column, `a column for ${name}`).toBeGreaterThan(0);
      for (const [key, value] of Object.entries(settings)) {
        if (key === 'filters') continue;
        const shown = typeof value === 'string' ? `\`${value}\`` : String(value);
        expect(
          rowOf(events, `\`${key}\``)!
            .split('|')
            .map((cell) => cell.trim())[column],
          key,
        ).toBe(shown);
      }
      const compact = events.replace(/\s+/g, '');
      for (const filter of settings.filters) expect(compact).toContain(JSON.stringify(filter));
      expect(rowOf(events, `\`${name}\` |`), 'its row of the consumers').toContain(`dlq/${name}.jsonl`);
    },
  );
});

describe('the docs stand alone', () => {
  it.each(['README.md', 'docs/api.md', 'docs/events.md', 'docs/benchmarks.md'])(
    '%s points to no file outside the repository',
    (path) => {
      expect(read(path)).not.toMatch(OUTSIDE_FILES);
      // In prose, `../shared/` is the guide's folder (in code it is an import of this repository's shared/).
      expect(read(path)).not.toMatch(/\.\.\/shared\//);
    },
  );

  it('and so do the comments of the code', () => {
    const tracked = execFileSync('git', ['ls-files', '*.ts'], { encoding: 'utf8' }).split('\n');
    const pointing = tracked.filter((path) => path && OUTSIDE_FILES.test(read(path)));
    expect(pointing).toEqual([]);
  });
});
