import * as z from 'zod';
import { execCommand } from '../../../../../functions/core/policy/rules/hardening/execCommand';
import { platformVersion } from '../../../../../functions/core/policy/rules/hardening/platformVersion';
import { publicIp } from '../../../../../functions/core/policy/rules/hardening/publicIp';
import { findings, run } from './support';
import type { TaskSettings } from '../../../../../functions/core/policy/rules/hardening/types';

const SOURCE = 'from the RunTask call';

describe('hardening.execCommand', () => {
  it('is not judged when unknown, never compliant', () => {
    expect(run(execCommand, { action: 'deny' }, {})).toEqual({ notJudged: expect.stringContaining('ECS Exec is enabled is unknown') });
  });
  it('flags Exec enabled, naming the source; passes it disabled', () => {
    expect(findings(run(execCommand, { action: 'deny' }, { launch: { execCommand: { value: true, source: SOURCE } } }))[0].message).toContain(`(${SOURCE})`);
    expect(findings(run(execCommand, { action: 'deny' }, { launch: { execCommand: { value: false, source: SOURCE } } }))).toEqual([]);
  });
});

describe('hardening.publicIp', () => {
  it('is not judged when unknown; flags a public IP with its source; passes none', () => {
    expect(run(publicIp, { action: 'deny' }, {})).toHaveProperty('notJudged');
    expect(findings(run(publicIp, { action: 'deny' }, { launch: { publicIp: { value: true, source: 'from the task event' } } }))[0].message).toContain('(from the task event)');
    expect(findings(run(publicIp, { action: 'deny' }, { launch: { publicIp: { value: false, source: SOURCE } } }))).toEqual([]);
    expect(publicIp.controls).toEqual(expect.arrayContaining(['Security Hub ECS.2', 'Security Hub ECS.16', 'Checkov CKV_AWS_333']));
  });
});

describe('hardening.platformVersion', () => {
  const LINUX = { operatingSystemFamily: { value: 'LINUX', defaulted: true } };
  const WINDOWS = { operatingSystemFamily: { value: 'WINDOWS_SERVER_2022_CORE', defaulted: false } };
  const at = (value: string, config: Record<string, unknown> = {}, task: TaskSettings = LINUX) =>
    run(platformVersion, { action: 'deny', ...config }, { task, launch: { platformVersion: { value, source: SOURCE } } });

  it('is not judged when unknown', () => {
    expect(run(platformVersion, { action: 'deny' }, {})).toHaveProperty('notJudged');
  });
  it('passes LATEST and versions at or above the minimum (numeric, not text, order)', () => {
    expect(findings(at('LATEST'))).toEqual([]);
    expect(findings(at('latest'))).toEqual([]);
    expect(findings(at('1.4.0'))).toEqual([]);
    expect(findings(at('1.10.0', { minimum: '1.9.0' }))).toEqual([]);
  });
  it('flags a version below the minimum and one it cannot read', () => {
    expect(findings(at('1.3.0'))[0].message).toContain('minimum 1.4.0');
    expect(findings(at('1.9.0', { minimum: '1.10.0' }))).toHaveLength(1);
    expect(findings(at('one'))[0].message).toContain('is not a version the gate can compare');
  });
  it('judges a Windows task by minimumWindows (default 1.0.0), not by the Linux minimum 1.4.0', () => {
    expect(findings(at('1.0.0', {}, WINDOWS))).toEqual([]);
    expect(findings(at('1.0.0', { minimumWindows: '1.1.0' }, WINDOWS))[0].message).toContain("older than the policy's Windows (WINDOWS_SERVER_2022_CORE) minimum 1.1.0");
    expect(findings(at('1.3.0', {}, LINUX))[0].message).toContain("older than the policy's Linux (no runtimePlatform: the ECS default LINUX) minimum 1.4.0");
  });
  it('does not judge a pinned number when the operating system family is unknown, but still passes LATEST', () => {
    expect(at('1.3.0', {}, {})).toEqual({ notJudged: expect.stringContaining('operating system family is unknown') });
    expect(findings(at('LATEST', {}, {}))).toEqual([]);
  });
  it('refuses a minimum that is not a version', () => {
    expect(() => platformVersion.schema(z).parse({ action: 'deny', minimum: 'LATEST' })).toThrow('expected a platform version');
  });
});
