import { readFileSync } from 'node:fs';
import { Match } from 'aws-cdk-lib/assertions';
import { classifyGateEvent } from '../../functions/core/events';
import { GATE_ENV } from '../../functions/handlers/environment';
import { inspectorImageFindingPattern } from '../../infra/event-patterns';
import { conformanceFiles, describeWithConformance } from '../support/conformance';
import { synthGate } from '../support/gate-stack';
import { SCOPED_PROPS } from '../support/template-iam';

describe('the posture sweep and Inspector findings in the stack', () => {
  it('delivers active Inspector findings on ECR images to the gate function', () => {
    const { template } = synthGate(SCOPED_PROPS);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.inspector2'], 'detail-type': ['Inspector2 Finding'], detail: { status: ['ACTIVE'], resources: { type: ['AWS_ECR_CONTAINER_IMAGE'] } } },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GateGateFunction'), 'Arn'] } })],
    });
  });

  it('gives the gate function the rescan interval and a re-judgement budget derived from the scan concurrency and the sweep interval', () => {
    const { template } = synthGate({ ...SCOPED_PROPS, scanCompute: { concurrentBuildLimit: 4 } });
    // rejudgeBudget(4, { sweepMinutes: 5 }): half of 4 builds, 5 minutes / 2 per build.
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [GATE_ENV.rescanIntervalHours]: '24', [GATE_ENV.rejudgeScansPerRun]: '5' }) },
    });
  });
});

describeWithConformance('the Inspector rule against the documented sample', () => {
  it('the gate reads as an Inspector finding what the rule sends it', () => {
    const file = conformanceFiles('events').find((f) => f.endsWith('inspector2-finding-ecr-image-awsdocs.json')) as string;
    const sample = JSON.parse(readFileSync(file, 'utf8')) as { source: string; 'detail-type': string; detail: { status: string; resources: { type: string }[] } };
    const pattern = inspectorImageFindingPattern();
    expect(pattern.source).toContain(sample.source);
    expect(pattern.detailType).toContain(sample['detail-type']);
    expect(sample.detail.status).toBe('ACTIVE');
    expect(sample.detail.resources.map((r) => r.type)).toContain('AWS_ECR_CONTAINER_IMAGE');
    expect(classifyGateEvent(sample).kind).toBe('inspectorFinding');
  });
});
