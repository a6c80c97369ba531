import { describe, expect, it } from 'vitest';
import { type EventPattern, matchesPattern, validatePattern } from '../../shared/events/pattern.js';

/** The sample event of the EventBridge content-filtering docs (and the Event Ruler README). */
const SAMPLE = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

/** The sample event with `detail` fields replaced or added. */
const withDetail = (detail: Record<string, unknown>) => ({
  ...SAMPLE,
  detail: { ...SAMPLE.detail, ...detail },
});

/** A pattern on a single detail field. */
const onDetail = (field: string, leaf: EventPattern[string]): EventPattern => ({ detail: { [field]: leaf } });

type Case = [name: string, pattern: EventPattern, event: unknown, expected: boolean];

const check = ([, pattern, event, expected]: Case) => expect(matchesPattern(pattern, event)).toBe(expected);

describe('exact values', () => {
  it.each<Case>([
    ['string equal', { source: ['aws.ec2'] }, SAMPLE, true],
    ['string different', { source: ['aws.s3'] }, SAMPLE, false],
    ['values of one field are ORed', { source: ['aws.s3', 'aws.ec2'] }, SAMPLE, true],
    ['matching is case-sensitive', { source: ['AWS.EC2'] }, SAMPLE, false],
    [
      'fields are ANDed: all match',
      {
        'detail-type': ['EC2 Instance State-change Notification'],
        detail: { state: ['initializing', 'running'] },
      },
      SAMPLE,
      true,
    ],
    [
      'fields are ANDed: one fails',
      { 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['stopped'] } },
      SAMPLE,
      false,
    ],
    ['number equal', onDetail('c-count', [5]), SAMPLE, true],
    ['number compares numerically (5.0 = 5)', onDetail('c-count', [5.0]), withDetail({ 'c-count': 5 }), true],
    ['exponent notation 3.018e2 = 301.8', onDetail('x-limit', [3.018e2]), SAMPLE, true],
    ['number different', onDetail('c-count', [6]), SAMPLE, false],
    ['string "5" does not equal number 5', onDetail('c-count', ['5']), SAMPLE, false],
    ['number 5 does not equal string "5"', onDetail('c-count', [5]), withDetail({ 'c-count': '5' }), false],
    ['boolean true', onDetail('flag', [true]), withDetail({ flag: true }), true],
    ['boolean differs', onDetail('flag', [false]), withDetail({ flag: true }), false],
    ['string "true" is not boolean true', onDetail('flag', ['true']), withDetail({ flag: true }), false],
    ['field missing from the event', onDetail('missing', ['x']), SAMPLE, false],
    ['pattern object where the event has a string', { detail: { state: { code: ['x'] } } }, SAMPLE, false],
    ['pattern object where the event lacks the parent', { other: { state: ['running'] } }, SAMPLE, false],
    ['only own properties are fields', { source: ['aws.ec2'] }, Object.create({ source: 'aws.ec2' }), false],
    ['Object.prototype names are not fields', { constructor: [{ exists: true }] }, {}, false],
    ['non-object event', { source: ['aws.ec2'] }, 'aws.ec2', false],
  ])('%s', (...c) => check(c));
});

describe('null and empty strings (docs example)', () => {
  const event = { ...SAMPLE, detail: { eventVersion: '', responseElements: null } };
  it.each<Case>([
    ['empty string matches [""]', onDetail('eventVersion', ['']), event, true],
    ['null matches [null]', onDetail('responseElements', [null]), event, true],
    ['empty string does not match [null]', onDetail('eventVersion', [null]), event, false],
    ['null does not match [""]', onDetail('responseElements', ['']), event, false],
    ['missing field does not match [null]', onDetail('absent', [null]), event, false],
  ])('%s', (...c) => check(c));
});

describe('arrays in events', () => {
  const resources = {
    resources: [
      'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b:autoScalingGroupName/ASGTerminate',
      'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
    ],
  };
  const employees = {
    employees: [
      { firstName: 'John', lastName: 'Doe' },
      { firstName: 'Anna', lastName: 'Smith' },
      { firstName: 'Peter', lastName: 'Jones' },
    ],
  };
  it.each<Case>([
    [
      'pattern and event arrays intersect (docs example)',
      {
        resources: [
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
          'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
          'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
        ],
      },
      resources,
      true,
    ],
    ['no intersection', { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-0'] }, resources, false],
    ['empty array never equals a value', { resources: ['x'] }, { resources: [] }, false],
    ['operators apply per element', { tags: [{ prefix: 'env:' }] }, { tags: ['team:a', 'env:prod'] }, true],
    ['numeric on any element', { sizes: [{ numeric: ['>', 5] }] }, { sizes: [1, 10] }, true],
    ['numeric on no element', { sizes: [{ numeric: ['>', 50] }] }, { sizes: [1, 10] }, false],
    ['nested arrays are flattened', { ids: [3] }, { ids: [[1, 2], [3]] }, true],
    ['field inside array of objects', { employees: { firstName: ['Anna'] } }, employees, true],
    [
      'fields from the same element match',
      { employees: { firstName: ['Anna'], lastName: ['Smith'] } },
      employees,
      true,
    ],
    [
      'fields from different elements do not match (array-consistent)',
      { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
      employees,
      false,
    ],
  ])('%s', (...c) => check(c));
});

describe('prefix and suffix', () => {
  it.each<Case>([
    ['prefix matches (docs: time)', { time: [{ prefix: '2017-10-02' }] }, SAMPLE, true],
    ['prefix differs', { time: [{ prefix: '2017-10-03' }] }, SAMPLE, false],
    ['prefix is case-sensitive', { source: [{ prefix: 'AWS.' }] }, SAMPLE, false],
    ['prefix ignores numbers', onDetail('c-count', [{ prefix: '5' }]), SAMPLE, false],
    [
      'prefix equals-ignore-case (docs: service)',
      onDetail('service', [{ prefix: { 'equals-ignore-case': 'EventB' } }]),
      withDetail({ service: 'EVENTBRIDGE' }),
      true,
    ],
    [
      'prefix equals-ignore-case differs',
      onDetail('service', [{ prefix: { 'equals-ignore-case': 'EventB' } }]),
      withDetail({ service: 'Lambda' }),
      false,
    ],
    ['suffix matches (docs: FileName)', { FileName: [{ suffix: '.png' }] }, { FileName: 'cat.png' }, true],
    ['suffix is case-sensitive', { FileName: [{ suffix: '.png' }] }, { FileName: 'cat.PNG' }, false],
    [
      'suffix equals-ignore-case',
      { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] },
      { FileName: 'cat.PNG' },
      true,
    ],
    [
      'suffix equals-ignore-case differs',
      { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] },
      { FileName: 'cat.jpg' },
      false,
    ],
    ['suffix on a missing field', { FileName: [{ suffix: '.png' }] }, {}, false],
  ])('%s', (...c) => check(c));
});

describe('equals-ignore-case', () => {
  it.each<Case>([
    ['any casing matches', { Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'ALICE' }, true],
    ['different string', { Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'Alicia' }, false],
    ['only strings', { Name: [{ 'equals-ignore-case': '5' }] }, { Name: 5 }, false],
    ['folds sharp s', { City: [{ 'equals-ignore-case': 'STRASSE' }] }, { City: 'straße' }, true],
  ])('%s', (...c) => check(c));
});

describe('anything-but', () => {
  it.each<Case>([
    ['string: other value', onDetail('state', [{ 'anything-but': 'initializing' }]), SAMPLE, true],
    [
      'string: excluded value',
      onDetail('state', [{ 'anything-but': 'initializing' }]),
      withDetail({ state: 'initializing' }),
      false,
    ],
    ['number: other value', onDetail('x-limit', [{ 'anything-but': 123 }]), SAMPLE, true],
    [
      'number: excluded value',
      onDetail('x-limit', [{ 'anything-but': 123 }]),
      withDetail({ 'x-limit': 123 }),
      false,
    ],
    [
      'number does not exclude the string "123"',
      onDetail('x-limit', [{ 'anything-but': 123 }]),
      withDetail({ 'x-limit': '123' }),
      true,
    ],
    [
      'string list: other value',
      onDetail('state', [{ 'anything-but': ['stopped', 'overloaded'] }]),
      SAMPLE,
      true,
    ],
    [
      'string list: excluded value',
      onDetail('state', [{ 'anything-but': ['stopped', 'overloaded'] }]),
      withDetail({ state: 'overloaded' }),
      false,
    ],
    ['number list: other value', onDetail('x-limit', [{ 'anything-but': [100, 200, 300] }]), SAMPLE, true],
    [
      'number list: excluded value',
      onDetail('x-limit', [{ 'anything-but': [100, 200, 300] }]),
      withDetail({ 'x-limit': 200 }),
      false,
    ],
    ['prefix: not starting with', onDetail('state', [{ 'anything-but': { prefix: 'init' } }]), SAMPLE, true],
    [
      'prefix: starting with',
      onDetail('state', [{ 'anything-but': { prefix: 'init' } }]),
      withDetail({ state: 'initializing' }),
      false,
    ],
    [
      'suffix: not ending with',
      { FileName: [{ 'anything-but': { suffix: '.png' } }] },
      { FileName: 'a.jpg' },
      true,
    ],
    [
      'suffix: ending with',
      { FileName: [{ 'anything-but': { suffix: '.png' } }] },
      { FileName: 'a.png' },
      false,
    ],
    [
      'equals-ignore-case: other value',
      onDetail('state', [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }]),
      SAMPLE,
      true,
    ],
    [
      'equals-ignore-case: excluded in another casing',
      onDetail('state', [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }]),
      withDetail({ state: 'INITIALIZING' }),
      false,
    ],
    [
      'equals-ignore-case list',
      onDetail('state', [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'RUNNING'] } }]),
      SAMPLE,
      false,
    ],
    [
      'wildcard: path without /lib/ (docs: FilePath)',
      { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
      { FilePath: '/usr/bin/tool' },
      true,
    ],
    [
      'wildcard: path with /lib/',
      { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
      { FilePath: '/usr/lib/tool' },
      false,
    ],
    [
      'wildcard list',
      { FilePath: [{ 'anything-but': { wildcard: ['*/bin/*', '*.jar'] } }] },
      { FilePath: '/opt/app.jar' },
      false,
    ],
    ['does not match a missing field', onDetail('absent', [{ 'anything-but': 'x' }]), SAMPLE, false],
    [
      'prefix variant does not match a missing field',
      onDetail('absent', [{ 'anything-but': { prefix: 'x' } }]),
      SAMPLE,
      false,
    ],
    ['matches a null value', onDetail('foo', [{ 'anything-but': ['baz'] }]), withDetail({ foo: null }), true],
    [
      'event array: matches when some element is not excluded',
      onDetail('state', [{ 'anything-but': 'stopped' }]),
      withDetail({ state: ['stopped', 'running'] }),
      true,
    ],
    [
      'event array: every element excluded',
      onDetail('state', [{ 'anything-but': 'stopped' }]),
      withDetail({ state: ['stopped'] }),
      false,
    ],
  ])('%s', (...c) => check(c));
});

describe('numeric', () => {
  it('matches the docs example (all ranges at once)', () => {
    const pattern: EventPattern = {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    };
    expect(matchesPattern(pattern, SAMPLE)).toBe(true);
    expect(matchesPattern(pattern, withDetail({ 'd-count': 10 }))).toBe(false);
  });

  const range: EventPattern = onDetail('c-count', [{ numeric: ['>', 0, '<=', 5] }]);
  it.each<Case>([
    ['inside a two-sided range', range, withDetail({ 'c-count': 2.5 }), true],
    ['open lower bound excludes 0', range, withDetail({ 'c-count': 0 }), false],
    ['closed upper bound includes 5', range, withDetail({ 'c-count': 5 }), true],
    ['above the range', range, withDetail({ 'c-count': 5.5 }), false],
    ['>= includes the bound', onDetail('c-count', [{ numeric: ['>=', 5] }]), SAMPLE, true],
    ['> excludes the bound', onDetail('c-count', [{ numeric: ['>', 5] }]), SAMPLE, false],
    ['< with negatives', onDetail('t', [{ numeric: ['<', -1.5] }]), withDetail({ t: -2 }), true],
    ['= compares numerically', onDetail('t', [{ numeric: ['=', 300] }]), withDetail({ t: 3e2 }), true],
    ['numeric strings do not match', range, withDetail({ 'c-count': '3' }), false],
    [
      'booleans and null do not match',
      onDetail('t', [{ numeric: ['>=', 0] }]),
      withDetail({ t: null }),
      false,
    ],
    ['missing field does not match', onDetail('absent', [{ numeric: ['>', 0] }]), SAMPLE, false],
    ['ORed with exact values', onDetail('c-count', [{ numeric: ['>', 10] }, 5]), SAMPLE, true],
  ])('%s', (...c) => check(c));
});

describe('exists', () => {
  const nested = withDetail({ 'c-count': { c1: 100 } });
  it.each<Case>([
    ['true: field present', onDetail('c-count', [{ exists: true }]), SAMPLE, true],
    ['true: field missing', onDetail('absent', [{ exists: true }]), SAMPLE, false],
    ['false: field missing (docs example)', onDetail('absent', [{ exists: false }]), SAMPLE, true],
    ['false: field present', onDetail('c-count', [{ exists: false }]), SAMPLE, false],
    [
      'false: matches an object, which is not a leaf (docs)',
      onDetail('c-count', [{ exists: false }]),
      nested,
      true,
    ],
    ['true: does not match an object', onDetail('c-count', [{ exists: true }]), nested, false],
    ['true: a null value exists', onDetail('v', [{ exists: true }]), withDetail({ v: null }), true],
    ['true: an empty string exists', onDetail('v', [{ exists: true }]), withDetail({ v: '' }), true],
    ['true: array with values', onDetail('v', [{ exists: true }]), withDetail({ v: ['a'] }), true],
    ['false: empty array has no leaf', onDetail('v', [{ exists: false }]), withDetail({ v: [] }), true],
    ['false: whole parent missing', { other: { x: [{ exists: false }] } }, SAMPLE, true],
    ['true: whole parent missing', { other: { x: [{ exists: true }] } }, SAMPLE, false],
    [
      'combined with other fields',
      { source: ['aws.ec2'], detail: { absent: [{ exists: false }], state: ['running'] } },
      SAMPLE,
      true,
    ],
  ])('%s', (...c) => check(c));
});

describe('wildcard', () => {
  it.each<Case>([
    [
      'star in the middle',
      { source: [{ wildcard: 'Simple*Service' }] },
      { source: 'Simple Queue Service' },
      true,
    ],
    ['leading star', { file: [{ wildcard: '*.png' }] }, { file: 'dir/cat.png' }, true],
    ['surrounding stars', { title: [{ wildcard: '*Title*' }] }, { title: 'A Title here' }, true],
    ['no match', { file: [{ wildcard: '*.png' }] }, { file: 'cat.png.bak' }, false],
    ['case-sensitive', { file: [{ wildcard: '*.png' }] }, { file: 'cat.PNG' }, false],
    ['star matches the empty run', { file: [{ wildcard: 'a*b' }] }, { file: 'ab' }, true],
    ['needs backtracking', { k: [{ wildcard: '*ab*cd' }] }, { k: 'xabyabzcd' }, true],
    [
      'S3 key example',
      { key: [{ wildcard: 'dir/*/XYZ/*.csv' }] },
      { key: 'dir/2023-01-01/XYZ/trades.csv' },
      true,
    ],
    ['escaped star is literal: matches', { k: [{ wildcard: 'a\\*b' }] }, { k: 'a*b' }, true],
    ['escaped star is literal: no match', { k: [{ wildcard: 'a\\*b' }] }, { k: 'axb' }, false],
    ['escaped backslash', { k: [{ wildcard: 'a\\\\*' }] }, { k: 'a\\tail' }, true],
    ['no star means equality', { k: [{ wildcard: 'abc' }] }, { k: 'abcd' }, false],
    ['only strings', { k: [{ wildcard: '1*' }] }, { k: 12 }, false],
  ])('%s', (...c) => check(c));

  // A backtracking matcher needs on the order of 20,000^6 steps here and never returns; ours is
  // linear in the text per star. Not timed (a busy machine must not fail it): the test's own
  // timeout is the only clock.
  it('answers adversarial input (no catastrophic backtracking)', { timeout: 30_000 }, () => {
    expect(matchesPattern({ k: [{ wildcard: '*a*a*a*a*a*a*b' }] }, { k: 'a'.repeat(20_000) })).toBe(false);
  });
});

describe('cidr', () => {
  it.each<Case>([
    ['IPv4 inside /24 (docs)', onDetail('source-ip', [{ cidr: '10.0.0.0/24' }]), SAMPLE, true],
    [
      'IPv4 outside /24',
      onDetail('source-ip', [{ cidr: '10.0.0.0/24' }]),
      withDetail({ 'source-ip': '10.0.1.33' }),
      false,
    ],
    ['IPv4 inside /8', onDetail('source-ip', [{ cidr: '10.0.0.0/8' }]), SAMPLE, true],
    ['IPv6 inside /32', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db8:1234::1' }, true],
    ['IPv6 outside /32', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db9::1' }, false],
    ['IPv6 /64 with full form address', { ip: [{ cidr: 'fe80::/64' }] }, { ip: 'FE80:0:0:0:1:2:3:4' }, true],
    ['IPv4 address vs IPv6 block', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '10.0.0.1' }, false],
    ['not an address', { ip: [{ cidr: '10.0.0.0/24' }] }, { ip: '10.0.0.x' }, false],
    ['not a string', { ip: [{ cidr: '10.0.0.0/24' }] }, { ip: 10 }, false],
    ['exact IPv6 value compares by address', { ip: ['2001:db8::1'] }, { ip: '2001:0DB8:0:0::1' }, true],
  ])('%s', (...c) => check(c));
});

describe('$or', () => {
  const alarm = {
    source: 'aws.cloudwatch',
    'detail-type': 'CloudWatch Alarm State Change',
    metricName: 'NetworkIn',
    namespace: 'AWS/EC2',
    metricType: 'MetricType',
    detail: { source: 'custom', scope: 'Service' },
  };
  it.each<Case>([
    [
      'one alternative matches',
      {
        source: ['aws.cloudwatch'],
        $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
      },
      alarm,
      true,
    ],
    [
      'no alternative matches',
      { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/ES'] }] },
      alarm,
      false,
    ],
    [
      'ANDed with sibling fields',
      { source: ['aws.s3'], $or: [{ metricName: ['NetworkIn'] }, { namespace: ['AWS/ES'] }] },
      alarm,
      false,
    ],
    [
      'parallel $or at two levels',
      {
        $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
        detail: { $or: [{ source: ['aws.cloudwatch'] }, { scope: ['Service'] }] },
      },
      alarm,
      true,
    ],
    [
      'nested $or inside an alternative',
      {
        source: ['aws.cloudwatch'],
        $or: [
          { metricName: ['CPUUtilization'] },
          {
            metricType: ['MetricType'],
            namespace: ['AWS/EC2'],
            $or: [{ metricId: [1234] }, { detail: { scope: ['Service'] } }],
          },
        ],
      },
      alarm,
      true,
    ],
    [
      'nested $or fails',
      {
        $or: [
          { metricName: ['CPUUtilization'] },
          { namespace: ['AWS/EC2'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
        ],
      },
      alarm,
      false,
    ],
    [
      'alternatives with operators',
      { $or: [{ metricName: [{ prefix: 'Net' }] }, { missing: [{ exists: true }] }] },
      alarm,
      true,
    ],
    [
      'alternative relying on exists: false',
      { $or: [{ metricName: ['CPUUtilization'] }, { missing: [{ exists: false }] }] },
      alarm,
      true,
    ],
  ])('%s', (...c) => check(c));
});

describe('complex docs example', () => {
  const pattern: EventPattern = {
    time: [{ prefix: '2017-10-02' }],
    detail: {
      state: [{ 'anything-but': 'initializing' }],
      'c-count': [{ numeric: ['>', 0, '<=', 5] }],
      'd-count': [{ numeric: ['<', 10] }],
      'x-limit': [{ 'anything-but': [100, 200, 300] }],
      'source-ip': [{ cidr: '10.0.0.0/8' }],
    },
  };
  it.each<Case>([
    ['matches the sample event', pattern, SAMPLE, true],
    ['fails when one field fails', pattern, withDetail({ state: 'initializing' }), false],
    ['fails when a field is missing', pattern, { ...SAMPLE, time: undefined }, false],
    ['fails on the address', pattern, withDetail({ 'source-ip': '192.168.0.1' }), false],
  ])('%s', (...c) => check(c));
});

describe('validatePattern', () => {
  it.each<[string, unknown]>([
    ['simple', { source: ['aws.ec2'], detail: { state: ['running', null, 5, true] } }],
    [
      'every operator',
      {
        a: [
          { prefix: 'x' },
          { prefix: { 'equals-ignore-case': 'x' } },
          { suffix: { 'equals-ignore-case': 'x' } },
        ],
        b: [
          { 'equals-ignore-case': 'x' },
          { wildcard: 'a*b\\*c\\\\' },
          { exists: false },
          { cidr: '2001:db8::/32' },
        ],
        c: [{ numeric: ['>', 0, '<=', 5] }, { numeric: ['=', 3.018e2] }, { numeric: ['<', 10] }],
        d: [{ 'anything-but': 'x' }, { 'anything-but': [1, 2] }, { 'anything-but': { prefix: 'x' } }],
        e: [{ 'anything-but': { 'equals-ignore-case': ['x'] } }, { 'anything-but': { wildcard: '*/lib/*' } }],
      },
    ],
    ['$or', { $or: [{ a: ['x'] }, { b: { $or: [{ c: [1] }, { d: [2] }] } }] }],
  ])('accepts %s', (_name, pattern) => {
    expect(validatePattern(pattern)).toEqual([]);
  });

  it.each<[string, unknown, string]>([
    ['a non-object pattern', ['x'], '$'],
    ['an empty pattern', {}, '$'],
    ['a bare value instead of an array', { source: 'aws.ec2' }, '$.source'],
    ['an empty array', { source: [] }, 'empty arrays'],
    ['an empty nested object', { detail: {} }, '$.detail'],
    ['an unknown operator', { a: [{ contains: 'x' }] }, 'unknown operator "contains"'],
    ['two keys in one operator', { a: [{ prefix: 'x', suffix: 'y' }] }, 'exactly one key'],
    ['a nested array value', { a: [['x']] }, '$.a[0]'],
    ['a non-string prefix', { a: [{ prefix: 5 }] }, 'prefix takes'],
    ['a reversed numeric range', { a: [{ numeric: ['<', 5, '>', 0] }] }, 'numeric'],
    ['an empty numeric range', { a: [{ numeric: ['>', 5, '<', 5] }] }, 'numeric'],
    ['a string numeric bound', { a: [{ numeric: ['>', '5'] }] }, 'numeric'],
    ['an unknown numeric operator', { a: [{ numeric: ['!=', 5] }] }, 'numeric'],
    ['a non-boolean exists', { a: [{ exists: 'yes' }] }, 'exists'],
    ['an invalid cidr', { a: [{ cidr: '10.0.0.0/33' }] }, 'cidr'],
    ['a cidr that is not an address', { a: [{ cidr: 'localhost/8' }] }, 'cidr'],
    ['consecutive wildcards', { a: [{ wildcard: 'a**b' }] }, 'consecutive'],
    ['a bad wildcard escape', { a: [{ wildcard: 'a\\b' }] }, 'escape'],
    ['a mixed anything-but list', { a: [{ 'anything-but': ['x', 1] }] }, 'all strings or all numbers'],
    ['anything-but null', { a: [{ 'anything-but': null }] }, 'anything-but'],
    ['an empty anything-but prefix', { a: [{ 'anything-but': { prefix: '' } }] }, 'non-empty'],
    ['anything-but numeric', { a: [{ 'anything-but': { numeric: ['>', 1] } }] }, 'anything-but'],
    ['a bad anything-but wildcard', { a: [{ 'anything-but': { wildcard: ['ok', 'a**'] } }] }, 'consecutive'],
    ['$or with one alternative', { $or: [{ a: ['x'] }] }, 'at least 2'],
    ['$or that is not an array', { $or: { a: ['x'] } }, 'at least 2'],
    ['an invalid alternative', { $or: [{ a: ['x'] }, { b: [] }] }, '$.$or[1].b'],
  ])('rejects %s', (_name, pattern, fragment) => {
    const problems = validatePattern(pattern);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toContain(fragment);
  });
});
