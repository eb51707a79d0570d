import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { CISA_KEV_FEED_URL } from '../../infra/kev-catalogue';
import { synthGate } from '../support/gate-stack';

describe('the KEV catalogue refresh in the stack', () => {
  const { template } = synthGate({ kevRefresh: true });

  it('runs a function daily that downloads CISA\'s feed into the fixed key of the reports bucket', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ KEV_FEED_URL: CISA_KEV_FEED_URL, KEV_CATALOGUE_KEY: 'kev/known_exploited_vulnerabilities.json' }) },
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 day)' });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ GATE_KEV_CATALOGUE_KEY: 'kev/known_exploited_vulnerabilities.json' }) } });
  });

  it('alarms on a stale catalogue (no age reported counts as stale) and on a failed refresh', () => {
    // A window of two refresh intervals (the age is published once a day): a 6-hour window would be empty three times a
    // day and, missing data breaching, alarm on a healthy catalogue.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'KevCatalogueAgeHours', Threshold: 96, TreatMissingData: 'breaching', Period: 2 * 86400, EvaluationPeriods: 1 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'KevCatalogueRefreshFailures', Threshold: 1 });
  });

  it('takes a mirror URL for an air-gapped account, and refuses one that is not https', () => {
    synthGate({ kevRefresh: true, kevFeedUrl: 'https://mirror.example.internal/kev.json' }).template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ KEV_FEED_URL: 'https://mirror.example.internal/kev.json' }) },
    });
    expect(() => synthGate({ kevRefresh: true, kevFeedUrl: 'http://mirror.example.internal/kev.json' })).toThrow(/must be an https URL/);
  });

  it('is off by default: no catalogue key for the gate, and a synth warning for a policy with knownExploited', () => {
    const off = synthGate({ policyFile: 'policies/strict.json' });
    off.template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ GATE_KEV_CATALOGUE_KEY: '' }) } });
    Annotations.fromStack(off.stack).hasWarning('*', Match.stringLikeRegexp('asks for known-exploited vulnerabilities.*keeps no KEV catalogue'));
    expect(Annotations.fromStack(synthGate({}).stack).findWarning('*', Match.stringLikeRegexp('KEV catalogue'))).toEqual([]);
  });
});
