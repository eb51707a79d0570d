import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { InputError } from '../../../../../functions/core/errors';
import { evaluatePolicy } from '../../../../../functions/core/policy/evaluate';
import type { ContainerEvidence } from '../../../../../functions/core/policy/input';
import { loadPolicy } from '../../../../../functions/core/policy/load';
import { parseTaskDefinition } from '../../../../../functions/core/taskdef/parse';
import { assertProperty } from '../../../../support/property';
import { NOW } from '../../support';

const load = (name: string) => loadPolicy(JSON.parse(readFileSync(join(__dirname, '../../../../../policies', name), 'utf8')), name);
const POLICIES = [load('default.json'), load('strict.json'), load('audit.json')];

/** Values of every JSON type, strings biased to the words the rules look for. */
const anyValue = fc.oneof(
  fc.constantFrom('host', 'HOST', 'awsvpc', 'task', 'none', 'ALL', 'SYS_ADMIN', 'LATEST', '1.3.0', '', ' '),
  fc.string(),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string(), fc.constantFrom('ALL', 'SYS_PTRACE'), fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom('logDriver', 'capabilities', 'add', 'drop'), fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 2 }))),
);

const containerDefinition = fc.record(
  {
    name: fc.oneof(fc.constantFrom('app', 'sidecar', 'log'), fc.string()),
    image: fc.oneof(fc.constant('123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1'), fc.string()),
    essential: anyValue,
    privileged: anyValue,
    readonlyRootFilesystem: anyValue,
    memory: anyValue,
    cpu: anyValue,
    memoryReservation: anyValue,
    logConfiguration: anyValue,
    linuxParameters: fc.oneof(anyValue, fc.record({ capabilities: fc.record({ add: anyValue, drop: anyValue }, { requiredKeys: [] }) })),
    environmentFiles: fc.oneof(anyValue, fc.array(fc.record({ value: fc.string(), type: fc.constant('s3') }), { maxLength: 2 })),
  },
  { requiredKeys: ['name', 'image'] },
);

const taskDefinition = fc.record(
  { containerDefinitions: fc.array(containerDefinition, { minLength: 1, maxLength: 3 }), networkMode: anyValue, pidMode: anyValue, ipcMode: anyValue },
  { requiredKeys: ['containerDefinitions'] },
);

const fact = <T>(value: fc.Arbitrary<T>) => fc.option(fc.record({ value, source: fc.constantFrom('from the RunTask call', 'from the task event') }), { nil: undefined });
const launch = fc.record({ execCommand: fact(fc.boolean()), platformVersion: fact(fc.oneof(fc.string(), fc.constantFrom('LATEST', '1.3.0', '1.4.0', '10.0.0'))), publicIp: fact(fc.boolean()) });

describe('hardening rules: random task definitions never crash the engine', () => {
  it('parses or refuses with an InputError; what parses is judged by every shipped policy, each hardening violation naming its rule and a controls list', () => {
    assertProperty(
      fc.property(taskDefinition, launch, fc.nat({ max: POLICIES.length - 1 }), (json, facts, which) => {
        let spec;
        try {
          spec = parseTaskDefinition(json, 'random.json');
        } catch (error) {
          return error instanceof InputError;
        }
        const evidence: ContainerEvidence[] = spec.containers.map((c) => ({ name: c.name, spec: c }));
        const launchFacts = Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined));
        const result = evaluatePolicy(POLICIES[which], {
          containers: evidence,
          context: { cluster: 'prod' },
          now: NOW,
          task: { networkMode: spec.networkMode, pidMode: spec.pidMode, ipcMode: spec.ipcMode },
          launch: launchFacts,
          imagesJudged: false,
        });
        const hardening = result.violations.filter((v) => v.kind === 'hardening');
        const privileged = spec.containers.some((c) => c.privileged === true);
        return (
          hardening.every((v) => v.rule.startsWith('hardening.') && Array.isArray(v.controls)) &&
          // strict denies a privileged container whatever else the task holds
          (which !== 1 || !privileged || result.decision === 'fail')
        );
      }),
      { numRuns: 200 },
    );
  });
});
