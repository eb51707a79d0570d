import { InvalidPatternError, matchesEventPattern, validateEventPattern } from './event-pattern';

// The example event of the EventBridge user guide ("Content filtering in Amazon EventBridge event patterns") and of
// the aws/event-ruler README, which the documented examples below are written against.
const ec2Event = {
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

describe('matchesEventPattern: documented examples', () => {
  it('matches exact values, every field (AND), any listed value (OR)', () => {
    expect(matchesEventPattern({ source: ['aws.ec2'], detail: { state: ['pending', 'running'] } }, ec2Event)).toBe(true);
    expect(matchesEventPattern({ source: ['aws.ec2'], detail: { state: ['pending'] } }, ec2Event)).toBe(false);
    expect(matchesEventPattern({ source: ['aws.ec2', 'aws.ecs'], 'detail-type': ['Other'] }, ec2Event)).toBe(false);
  });

  it('is case-sensitive for exact strings and typed for numbers', () => {
    expect(matchesEventPattern({ detail: { state: ['RUNNING'] } }, ec2Event)).toBe(false);
    expect(matchesEventPattern({ detail: { 'c-count': ['5'] } }, ec2Event)).toBe(false);
    expect(matchesEventPattern({ detail: { 'c-count': [5] } }, ec2Event)).toBe(true);
    expect(matchesEventPattern({ detail: { 'x-limit': [301.8] } }, ec2Event)).toBe(true);
  });

  it('matches a prefix, a suffix and their equals-ignore-case forms', () => {
    expect(matchesEventPattern({ time: [{ prefix: '2017-10-02' }] }, ec2Event)).toBe(true);
    expect(matchesEventPattern({ time: [{ prefix: '2017-10-03' }] }, ec2Event)).toBe(false);
    expect(matchesEventPattern({ detail: { 'instance-id': [{ suffix: '00000' }] } }, ec2Event)).toBe(true);
    expect(matchesEventPattern({ source: [{ prefix: { 'equals-ignore-case': 'AWS.' } }] }, ec2Event)).toBe(true);
    expect(matchesEventPattern({ source: [{ prefix: 'AWS.' }] }, ec2Event)).toBe(false);
    expect(matchesEventPattern({ detail: { state: [{ 'equals-ignore-case': 'RUNNING' }] } }, ec2Event)).toBe(true);
  });

  it('anything-but excludes values, lists, prefixes and suffixes, and never matches a missing field', () => {
    expect(matchesEventPattern({ detail: { state: [{ 'anything-but': 'initializing' }] } }, ec2Event)).toBe(true);
    expect(matchesEventPattern({ detail: { state: [{ 'anything-but': ['stopped', 'running'] }] } }, ec2Event)).toBe(false);
    expect(matchesEventPattern({ detail: { 'x-limit': [{ 'anything-but': 123 }] } }, ec2Event)).toBe(true);
    expect(matchesEventPattern({ region: [{ 'anything-but': { prefix: 'us-' } }] }, ec2Event)).toBe(false);
    expect(matchesEventPattern({ region: [{ 'anything-but': { suffix: '-1' } }] }, ec2Event)).toBe(false);
    expect(matchesEventPattern({ detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['RUNNING'] } }] } }, ec2Event)).toBe(false);
    expect(matchesEventPattern({ detail: { missing: [{ 'anything-but': 'x' }] } }, ec2Event)).toBe(false);
  });

  it('compares numbers with ranges', () => {
    expect(matchesEventPattern({ detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }], 'x-limit': [{ numeric: ['=', 301.8] }] } }, ec2Event)).toBe(true);
    expect(matchesEventPattern({ detail: { 'c-count': [{ numeric: ['>', 5] }] } }, ec2Event)).toBe(false);
    expect(matchesEventPattern({ detail: { state: [{ numeric: ['>', 0] }] } }, ec2Event)).toBe(false);
  });

  it('matches IPv4 CIDR blocks', () => {
    expect(matchesEventPattern({ detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, ec2Event)).toBe(true);
    expect(matchesEventPattern({ detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } }, ec2Event)).toBe(false);
  });

  it('exists: true needs a leaf value, exists: false needs its absence', () => {
    expect(matchesEventPattern({ detail: { state: [{ exists: true }] } }, ec2Event)).toBe(true);
    expect(matchesEventPattern({ detail: { state: [{ exists: false }] } }, ec2Event)).toBe(false);
    expect(matchesEventPattern({ detail: { 'error-code': [{ exists: false }] } }, ec2Event)).toBe(true);
    expect(matchesEventPattern({ detail: { 'error-code': [{ exists: true }] } }, ec2Event)).toBe(false);
    expect(matchesEventPattern({ detail: { tags: [{ exists: true }] } }, { detail: { tags: [] } })).toBe(false);
  });

  it('matches wildcards, with \\* as a literal star', () => {
    expect(matchesEventPattern({ file: [{ wildcard: 'dir/*.png' }] }, { file: 'dir/a/b.png' })).toBe(true);
    expect(matchesEventPattern({ file: [{ wildcard: 'dir/*.png' }] }, { file: 'dir/a.jpg' })).toBe(false);
    expect(matchesEventPattern({ file: [{ wildcard: 'a\\*b' }] }, { file: 'a*b' })).toBe(true);
    expect(matchesEventPattern({ file: [{ wildcard: 'a\\*b' }] }, { file: 'axxb' })).toBe(false);
    expect(matchesEventPattern({ file: [{ wildcard: 'a.c' }] }, { file: 'abc' })).toBe(false);
  });

  it('matches when any element of an event array matches', () => {
    expect(matchesEventPattern({ resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'] }, ec2Event)).toBe(true);
    expect(matchesEventPattern({ resources: [{ prefix: 'arn:aws:ec2:' }] }, ec2Event)).toBe(true);
    expect(matchesEventPattern({ resources: ['arn:aws:ec2:us-east-1:123456789012:instance/other'] }, ec2Event)).toBe(false);
  });

  it('matches nested patterns against objects in an event array element by element', () => {
    const event = { detail: { tasks: [{ cluster: 'a', launchType: 'EC2' }, { cluster: 'b', launchType: 'FARGATE' }] } };
    expect(matchesEventPattern({ detail: { tasks: { cluster: ['b'], launchType: ['FARGATE'] } } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { tasks: { cluster: ['a'], launchType: ['FARGATE'] } } }, event)).toBe(false);
  });

  it('$or matches when any alternative matches, together with the other fields', () => {
    const pattern = { source: ['aws.ec2'], $or: [{ detail: { 'c-count': [{ numeric: ['>', 10] }] } }, { detail: { 'd-count': [{ numeric: ['<', 5] }] } }] };
    expect(matchesEventPattern(pattern, ec2Event)).toBe(true);
    expect(matchesEventPattern({ ...pattern, source: ['aws.ecs'] }, ec2Event)).toBe(false);
    expect(matchesEventPattern({ $or: [{ region: ['eu-west-1'] }, { account: ['1'] }] }, ec2Event)).toBe(false);
  });

  it('treats a nested pattern on a missing object as a missing field', () => {
    expect(matchesEventPattern({ detail: { nested: { field: ['x'] } } }, ec2Event)).toBe(false);
    expect(matchesEventPattern({ detail: { nested: { field: [{ exists: false }] } } }, ec2Event)).toBe(true);
  });

  it('matches null and booleans exactly', () => {
    expect(matchesEventPattern({ detail: { flag: [null] } }, { detail: { flag: null } })).toBe(true);
    expect(matchesEventPattern({ detail: { flag: [null] } }, { detail: {} })).toBe(false);
    expect(matchesEventPattern({ detail: { flag: [true] } }, { detail: { flag: true } })).toBe(true);
    expect(matchesEventPattern({ detail: { flag: [true] } }, { detail: { flag: 'true' } })).toBe(false);
  });
});

describe('validateEventPattern: what EventBridge rejects', () => {
  it.each([
    ['a leaf that is not an array', { source: 'aws.ec2' }],
    ['an empty leaf', { source: [] }],
    ['an empty object', {}],
    ['an unknown operator', { source: [{ startsWith: 'aws' }] }],
    ['two operators in one object', { source: [{ prefix: 'a', suffix: 'b' }] }],
    ['a numeric range with =', { n: [{ numeric: ['=', 1, '<', 2] }] }],
    ['a numeric operand that is a string', { n: [{ numeric: ['>', '1'] }] }],
    ['an $or with one alternative', { $or: [{ a: ['b'] }] }],
    ['anything-but with mixed types', { a: [{ 'anything-but': ['x', 1] }] }],
    ['exists with a string', { a: [{ exists: 'false' }] }],
    ['an invalid cidr', { a: [{ cidr: '10.0.0.0/33' }] }],
    ['a wildcard with consecutive stars', { a: [{ wildcard: 'a**' }] }],
  ])('rejects %s', (_name, pattern) => {
    expect(() => validateEventPattern(pattern)).toThrow(InvalidPatternError);
  });

  it('accepts every operator in its documented form', () => {
    expect(() =>
      validateEventPattern({
        a: ['x', 1, null, true, { prefix: 'p' }, { suffix: { 'equals-ignore-case': 's' } }, { 'equals-ignore-case': 'e' }, { wildcard: 'w*' }],
        b: [{ 'anything-but': { prefix: 'p' } }, { 'anything-but': [1, 2] }, { numeric: ['>=', 0, '<', 10] }, { exists: false }, { cidr: '10.0.0.0/8' }],
        $or: [{ c: ['1'] }, { d: { e: ['2'] } }],
      }),
    ).not.toThrow();
  });
});
