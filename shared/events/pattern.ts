import { BlockList, isIP } from 'node:net';

/**
 * Amazon EventBridge event-pattern matching for the local event bus.
 *
 * Semantics follow the EventBridge user guide (event patterns, content filtering, comparison operators)
 * and the behaviour of AWS's open-source Event Ruler that EventBridge runs on:
 * - pattern fields are ANDed, the values listed for one field are ORed, `$or` ORs whole sub-patterns;
 * - a leaf in the event that is an array matches when any element matches;
 * - a field missing from the event fails every condition except `{ "exists": false }`
 *   (so `anything-but` does not match a missing field, but does match `null`);
 * - objects are not leaves: `exists: true` fails on them and `exists: false` matches them.
 */

/** A JSON scalar: what an event leaf holds and what a pattern lists for exact matching. */
export type PatternScalar = string | number | boolean | null;
export type NumericOperator = '=' | '<' | '<=' | '>' | '>=';
type IgnoreCase = { 'equals-ignore-case': string };
type OneOrMany = string | string[];

type ExcludedValues = string | number | string[] | number[];
type ExclusionOperator = { prefix: string } | { suffix: string } | { wildcard: OneOrMany };
export type AnythingBut = ExcludedValues | ExclusionOperator | { 'equals-ignore-case': OneOrMany };

export type ContentFilter =
  | { prefix: string | IgnoreCase }
  | { suffix: string | IgnoreCase }
  | { 'equals-ignore-case': string }
  | { wildcard: string }
  | { 'anything-but': AnythingBut }
  | { numeric: [NumericOperator, number] | ['>' | '>=', number, '<' | '<=', number] }
  | { exists: boolean }
  | { cidr: string };

/** The allowed values of one field: the field matches when any entry matches. */
export type PatternLeaf = Array<PatternScalar | ContentFilter>;

/** A pattern mirrors the event's shape; the reserved key `$or` holds alternative sub-patterns. */
export interface EventPattern {
  [field: string]: PatternLeaf | EventPattern | EventPattern[];
}

type Leaf = PatternScalar;
type Dict = Record<string, unknown>;

const OR = '$or';
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isLeaf = (v: unknown): v is Leaf => isString(v) || isNumber(v) || typeof v === 'boolean' || v === null;

/** Returns the single [operator, argument] of an operator object, or undefined when it has 0 or 2+ keys. */
function onlyEntry(obj: Dict): [string, unknown] | undefined {
  const entries = Object.entries(obj);
  return entries.length === 1 ? entries[0] : undefined;
}

export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  return matchObject(pattern, event);
}

function matchObject(pattern: Dict, event: unknown): boolean {
  if (Array.isArray(event)) {
    // Array-consistent matching: the fields of one sub-pattern must all come from the same element,
    // so the sub-pattern {"x": [1], "y": [2]} does not match [{"x": 1}, {"y": 2}].
    const elements = event.flat(Number.POSITIVE_INFINITY).filter(isDict);
    if (elements.length === 0) return matchObject(pattern, undefined);
    return elements.some((element) => matchObject(pattern, element));
  }
  // A missing or scalar value has no sub-fields; only `exists: false` leaves can still match below it.
  const fields: Dict = isDict(event) ? event : {};
  return Object.entries(pattern).every(([key, sub]) => {
    if (key === OR && Array.isArray(sub)) return sub.some((alt) => isDict(alt) && matchObject(alt, fields));
    // Own properties only: inherited names such as "constructor" are not event fields.
    const value = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (Array.isArray(sub)) return matchLeaf(sub, value);
    return isDict(sub) && matchObject(sub, value);
  });
}

function matchLeaf(conditions: unknown[], value: unknown): boolean {
  const leaves = leafValues(value);
  return conditions.some((condition) => {
    if (isDict(condition) && Object.hasOwn(condition, 'exists')) {
      return condition.exists === leaves.length > 0;
    }
    return leaves.some((leaf) => matchCondition(condition, leaf));
  });
}

/** Scalars of a field; arrays are flattened and objects dropped, since operators only see leaf nodes. */
function leafValues(value: unknown): Leaf[] {
  if (Array.isArray(value)) return value.flatMap(leafValues);
  return isLeaf(value) ? [value] : [];
}

/** Leaf operators (all but `exists`, which looks at the whole field): does `value` satisfy `arg`? */
const MATCHERS: Record<string, (arg: unknown, value: Leaf) => boolean> = {
  prefix: (arg, value) => matchAffix(arg, value, (s, part) => s.startsWith(part)),
  suffix: (arg, value) => matchAffix(arg, value, (s, part) => s.endsWith(part)),
  'equals-ignore-case': (arg, value) => isString(value) && isString(arg) && fold(value) === fold(arg),
  wildcard: (arg, value) => isString(value) && isString(arg) && matchWildcard(arg, value),
  // Numeric matching only applies to JSON numbers: "5" (a string) is never in a numeric range.
  numeric: (arg, value) => isNumber(value) && Array.isArray(arg) && matchNumeric(arg, value),
  cidr: (arg, value) => isString(value) && isString(arg) && cidrContains(arg, value),
  'anything-but': (arg, value) => matchAnythingBut(arg, value),
};

function matchCondition(condition: unknown, value: Leaf): boolean {
  if (!isDict(condition)) return isLeaf(condition) && equalsExact(condition, value);
  const [op = '', arg] = onlyEntry(condition) ?? [];
  return Object.hasOwn(MATCHERS, op) && MATCHERS[op]?.(arg, value) === true;
}

/** Exact match: same type and value; numbers compare numerically and IP addresses by address. */
function equalsExact(expected: Leaf, value: Leaf): boolean {
  if (expected === value) return true;
  // EventBridge turns IP-address strings in patterns into ranges, so "2001:db8::1" equals "2001:DB8:0::1".
  return isString(expected) && isString(value) && isIP(expected) !== 0 && cidrContains(expected, value);
}

/** Case folding through upper case also equates forms like "ß"/"SS" that plain toLowerCase misses. */
const fold = (s: string): string => s.toUpperCase().toLowerCase();

/** prefix/suffix take a string, or { "equals-ignore-case": string } to compare case-insensitively. */
function matchAffix(arg: unknown, value: Leaf, test: (s: string, part: string) => boolean): boolean {
  if (!isString(value)) return false;
  if (isString(arg)) return test(value, arg);
  const ignoreCase = isDict(arg) ? arg['equals-ignore-case'] : undefined;
  return isString(ignoreCase) && test(fold(value), fold(ignoreCase));
}

/**
 * anything-but matches every present leaf (null, booleans and other types included) that the
 * excluded values or the nested operator do not match.
 */
function matchAnythingBut(spec: unknown, value: Leaf): boolean {
  if (isLeaf(spec)) return !equalsExact(spec, value);
  if (Array.isArray(spec)) return !spec.some((s) => isLeaf(s) && equalsExact(s, value));
  const entry = isDict(spec) ? onlyEntry(spec) : undefined;
  if (!entry || !['prefix', 'suffix', 'equals-ignore-case', 'wildcard'].includes(entry[0])) return false;
  const [op, arg] = entry;
  const excluded = Array.isArray(arg) ? arg : [arg];
  return !excluded.some((e) => matchCondition({ [op]: e }, value));
}

const COMPARE: Record<NumericOperator, (value: number, bound: number) => boolean> = {
  '=': (value, bound) => value === bound,
  '<': (value, bound) => value < bound,
  '<=': (value, bound) => value <= bound,
  '>': (value, bound) => value > bound,
  '>=': (value, bound) => value >= bound,
};
const isNumericOperator = (op: unknown): op is NumericOperator => isString(op) && Object.hasOwn(COMPARE, op);

/** Every [operator, bound] pair must hold, e.g. [">", 0, "<=", 5] is 0 < value <= 5. */
function matchNumeric(expression: unknown[], value: number): boolean {
  if (expression.length === 0 || expression.length % 2 !== 0) return false;
  for (let i = 0; i < expression.length; i += 2) {
    const [op, bound] = [expression[i], expression[i + 1]];
    if (!isNumericOperator(op) || !isNumber(bound) || !COMPARE[op](value, bound)) return false;
  }
  return true;
}

/**
 * Wildcard: "*" matches any run of characters (including none), "\*" a literal star and "\\" a
 * backslash. Greedy two-pointer matching with backtracking to the last star: O(n*m), no regex blow-up.
 */
function matchWildcard(pattern: string, value: string): boolean {
  const tokens = wildcardTokens(pattern);
  let t = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    const token = tokens[t];
    if (token === STAR) {
      star = t++;
      resume = v;
    } else if (token !== undefined && token === value[v]) {
      t++;
      v++;
    } else if (star >= 0) {
      t = star + 1;
      v = ++resume;
    } else {
      return false;
    }
  }
  while (tokens[t] === STAR) t++;
  return t === tokens.length;
}

const STAR = null;

/** Splits a wildcard into literal characters and STAR markers, resolving backslash escapes. */
function wildcardTokens(pattern: string): Array<string | typeof STAR> {
  const tokens: Array<string | typeof STAR> = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern.charAt(i);
    if (ch === '\\' && i + 1 < pattern.length) tokens.push(pattern.charAt(++i));
    else tokens.push(ch === '*' ? STAR : ch);
  }
  return tokens;
}

/** Parsed CIDR blocks by pattern text (null when invalid); patterns are few, so the cache stays small. */
const cidrCache = new Map<string, BlockList | null>();
const family = (address: string) => (isIP(address) === 4 ? 'ipv4' : 'ipv6');

/** Parses "10.0.0.0/24" or "2001:db8::/32" once; a bare address is a /32 or /128 block. */
function cidrBlock(cidr: string): BlockList | null {
  if (cidrCache.has(cidr)) return cidrCache.get(cidr) ?? null;
  const [address = '', bits, ...rest] = cidr.split('/');
  const max = isIP(address) === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : Number.NaN;
  let block: BlockList | null = null;
  if (isIP(address) !== 0 && rest.length === 0 && prefix <= max) {
    block = new BlockList();
    block.addSubnet(address, prefix, family(address));
  }
  cidrCache.set(cidr, block);
  return block;
}

function cidrContains(cidr: string, address: string): boolean {
  return isIP(address) !== 0 && cidrBlock(cidr)?.check(address, family(address)) === true;
}

// ---------------------------------------------------------------------------------------------
// Validation: the checks EventBridge applies when a rule is created (PutRule rejects these).

/** Problems with a pattern, each prefixed by its JSON path; an empty list means the pattern is valid. */
export function validatePattern(pattern: unknown): string[] {
  const problems: string[] = [];
  checkObject(pattern, '$', problems);
  return problems;
}

function checkObject(node: unknown, path: string, problems: string[]): void {
  if (!isDict(node) || Object.keys(node).length === 0) {
    problems.push(`${path}: must be a non-empty object or an array of values`);
    return;
  }
  for (const [key, sub] of Object.entries(node)) {
    const at = `${path}.${key}`;
    if (key === OR) {
      if (!Array.isArray(sub) || sub.length < 2)
        problems.push(`${at}: must be an array of at least 2 patterns`);
      else for (const [i, alt] of sub.entries()) checkObject(alt, `${at}[${i}]`, problems);
    } else if (Array.isArray(sub)) {
      if (sub.length === 0) problems.push(`${at}: empty arrays are not allowed`);
      for (const [i, condition] of sub.entries()) {
        const problem = checkCondition(condition);
        if (problem) problems.push(`${at}[${i}]: ${problem}`);
      }
    } else {
      checkObject(sub, at, problems);
    }
  }
}

const unless = (ok: boolean, problem: string): string | undefined => (ok ? undefined : problem);
const isIgnoreCase = (v: unknown): boolean =>
  isDict(v) && onlyEntry(v)?.[0] === 'equals-ignore-case' && isString(v['equals-ignore-case']);
const checkAffix = (op: string) => (arg: unknown) =>
  unless(isString(arg) || isIgnoreCase(arg), `${op} takes a string or { "equals-ignore-case": string }`);

/** One checker per operator, returning a problem or undefined. */
const OPERATOR_CHECKS: Record<string, (arg: unknown) => string | undefined> = {
  prefix: checkAffix('prefix'),
  suffix: checkAffix('suffix'),
  'equals-ignore-case': (arg) => unless(isString(arg), 'equals-ignore-case takes a string'),
  wildcard: (arg) => checkWildcard(arg),
  numeric: (arg) => checkNumeric(arg),
  exists: (arg) => unless(typeof arg === 'boolean', 'exists takes true or false'),
  cidr: (arg) => unless(isString(arg) && cidrBlock(arg) !== null, 'cidr takes a block such as "10.0.0.0/24"'),
  'anything-but': (arg) => checkAnythingBut(arg),
};

function checkCondition(condition: unknown): string | undefined {
  if (isLeaf(condition)) return undefined;
  if (!isDict(condition)) return 'must be a string, number, boolean, null or an operator object';
  const [op, arg] = onlyEntry(condition) ?? [];
  if (op === undefined) return 'an operator object must have exactly one key';
  const check = Object.hasOwn(OPERATOR_CHECKS, op) ? OPERATOR_CHECKS[op] : undefined;
  return check ? check(arg) : `unknown operator "${op}"`;
}

function checkWildcard(arg: unknown): string | undefined {
  if (!isString(arg)) return 'wildcard takes a string';
  for (let i = 0; i < arg.length; i++) {
    const next = arg.charAt(i + 1);
    if (arg[i] === '\\') {
      if (next !== '*' && next !== '\\') return 'in a wildcard, "\\" may only escape "*" or "\\"';
      i++;
    } else if (arg[i] === '*' && next === '*') {
      return 'a wildcard must not contain consecutive "*"';
    }
  }
  return undefined;
}

function checkNumeric(arg: unknown): string | undefined {
  const usage = 'numeric takes [op, n] or [">"|">=", low, "<"|"<=", high] with low < high';
  if (!Array.isArray(arg)) return usage;
  const [op, low, upperOp, high] = arg;
  if (!isNumber(low)) return usage;
  if (arg.length === 2) return unless(isNumericOperator(op), usage);
  // Two-sided ranges are written lower bound first, as in [">", 0, "<=", 5].
  const range = (op === '>' || op === '>=') && (upperOp === '<' || upperOp === '<=');
  return unless(arg.length === 4 && range && isNumber(high) && low < high, usage);
}

function checkAnythingBut(arg: unknown): string | undefined {
  if (isString(arg) || isNumber(arg)) return undefined;
  if (Array.isArray(arg)) {
    const sameType = arg.length > 0 && (arg.every(isString) || arg.every(isNumber));
    return unless(sameType, 'an anything-but list must be all strings or all numbers');
  }
  const [op, inner] = (isDict(arg) ? onlyEntry(arg) : undefined) ?? [];
  const list = Array.isArray(inner) ? inner : [inner];
  switch (op) {
    case 'prefix':
    case 'suffix':
      return unless(isString(inner) && inner !== '', `anything-but ${op} takes a non-empty string`);
    case 'equals-ignore-case':
      return unless(list.length > 0 && list.every(isString), 'anything-but equals-ignore-case takes strings');
    case 'wildcard':
      return list.length > 0 ? list.map(checkWildcard).find(Boolean) : 'anything-but wildcard takes strings';
    default:
      return 'anything-but takes a string, a number, a list, or one of prefix/suffix/equals-ignore-case/wildcard';
  }
}
