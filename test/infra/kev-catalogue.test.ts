import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
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

  it('is on by default for a policy that asks for knownExploited (strict.json), with no warning', () => {
    const strict = synthGate({ policyFile: 'policies/strict.json' });
    strict.template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ KEV_FEED_URL: CISA_KEV_FEED_URL }) } });
    strict.template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ GATE_KEV_CATALOGUE_KEY: 'kev/known_exploited_vulnerabilities.json' }) } });
    expect(Annotations.fromStack(strict.stack).findWarning('*', Match.stringLikeRegexp('KEV catalogue'))).toEqual([]);
  });

  it('is off by default for a policy without knownExploited (default.json): no refresh function, no catalogue key, no warning', () => {
    const plain = synthGate({});
    expect(refreshFunctions(plain.template)).toEqual([]);
    plain.template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ GATE_KEV_CATALOGUE_KEY: '' }) } });
    expect(Annotations.fromStack(plain.stack).findWarning('*', Match.stringLikeRegexp('KEV catalogue'))).toEqual([]);
  });

  it('can be switched off for an air-gapped account; a policy with knownExploited then gets a synth warning', () => {
    const off = synthGate({ policyFile: 'policies/strict.json', kevRefresh: false });
    expect(refreshFunctions(off.template)).toEqual([]);
    off.template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ GATE_KEV_CATALOGUE_KEY: '' }) } });
    Annotations.fromStack(off.stack).hasWarning('*', Match.stringLikeRegexp('asks for known-exploited vulnerabilities.*keeps no KEV catalogue'));
  });

  it('can be switched on for a policy without knownExploited', () => {
    expect(refreshFunctions(synthGate({ kevRefresh: true }).template)).toHaveLength(1);
  });
});

/** The KEV refresh functions of a template (the ones given a feed URL). */
function refreshFunctions(template: Template): string[] {
  return Object.entries(template.findResources('AWS::Lambda::Function'))
    .filter(([, fn]) => (fn.Properties.Environment?.Variables as Record<string, unknown> | undefined)?.KEV_FEED_URL !== undefined)
    .map(([id]) => id);
}
