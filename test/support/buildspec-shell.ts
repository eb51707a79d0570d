/** Static checks of the bash steps of a buildspec (shared by the buildspec tests). */
import { spawnSync } from 'node:child_process';

/** Removes single-quoted strings (literal in bash) so `$` inside them is not taken for an expansion. */
export function withoutSingleQuoted(script: string): string {
  let out = '';
  let state: 'none' | 'single' | 'double' = 'none';
  for (let i = 0; i < script.length; i++) {
    const char = script[i];
    if (state === 'single') {
      if (char === "'") state = 'none';
      continue;
    }
    if (char === '\\' && state !== 'none') {
      out += char + (script[i + 1] ?? '');
      i++;
      continue;
    }
    if (char === "'" && state === 'none') {
      state = 'single';
      continue;
    }
    if (char === '"') state = state === 'double' ? 'none' : 'double';
    out += char;
  }
  return out;
}

export function referencedVariables(script: string): string[] {
  return [...withoutSingleQuoted(script).matchAll(/\$\{?#?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
}

export function assignedVariables(script: string): string[] {
  const text = withoutSingleQuoted(script);
  const reads = [...text.matchAll(/\bread\s+(?:-r\s+)?([A-Za-z_][A-Za-z0-9_]*(?:[ \t]+[A-Za-z_][A-Za-z0-9_]*)*)/g)].flatMap((m) => m[1].split(/\s+/));
  return [...text.matchAll(/(?:^|[\s;(&|])([A-Za-z_][A-Za-z0-9_]*)\+?=/gm), ...text.matchAll(/\bfor\s+([A-Za-z_][A-Za-z0-9_]*)\s+in\b/g)].map((m) => m[1]).concat(reads);
}

/** `$` expansions outside double quotes, except the right side of `=~` (a quoted regex would match literally). */
export function unquotedExpansions(script: string): string[] {
  const found: string[] = [];
  let state: 'none' | 'single' | 'double' = 'none';
  for (let i = 0; i < script.length; i++) {
    const char = script[i];
    if (state === 'single') {
      if (char === "'") state = 'none';
    } else if (char === '\\') {
      i++;
    } else if (char === "'" && state === 'none') {
      state = 'single';
    } else if (char === '"') {
      state = state === 'double' ? 'none' : 'double';
    } else if (char === '$' && state === 'none' && /[A-Za-z_{(#@*0-9?]/.test(script[i + 1] ?? '')) {
      const lineStart = script.lastIndexOf('\n', i) + 1;
      if (!/=~\s*$/.test(script.slice(lineStart, i))) found.push(script.slice(i, i + 30).split('\n')[0]);
    }
  }
  return found;
}

/** One shell step of a buildspec: its phase, its index in that phase, and its text. */
export interface BuildspecCommand {
  phase: string;
  index: number;
  command: string;
}

/** The checks every buildspec's steps pass, as tests of the calling describe: each expansion quoted, no text run as code. */
export function itQuotesAndNeverEvaluates(commands: readonly BuildspecCommand[]): void {
  it('quotes every expansion (a regex on the right of =~ excepted)', () => {
    for (const { phase, index, command } of commands) {
      expect({ step: `${phase}[${index}]`, unquoted: unquotedExpansions(command) }).toEqual({ step: `${phase}[${index}]`, unquoted: [] });
    }
  });

  it('never evaluates text as shell code', () => {
    for (const { command } of commands) expect(command).not.toMatch(/(^|[\s;&|(])(eval|source|\.)\s|\b(ba)?sh\s+-c\b|`/m);
  });
}

/**
 * `bash -n` and shellcheck over every step of a buildspec. Without shellcheck these checks cannot run: it says so loudly, and with
 * CI=true a test fails, since skipping them there would hide a lint finding.
 */
export function describeShellcheck(buildspecFile: string, commands: readonly BuildspecCommand[]): void {
  describe(`${buildspecFile}: bash syntax`, () => {
    it.each(commands.map(({ phase, index, command }) => [`${phase}[${index}]`, command]))('%s passes bash -n', (_name, command) => {
      const result = spawnSync('bash', ['-n'], { input: command, encoding: 'utf8' });
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
    });
  });

  const installed = spawnSync('shellcheck', ['--version']).status === 0;
  const missing = `shellcheck is not installed: the ${commands.length} "has no shellcheck finding" tests of ${buildspecFile} are SKIPPED. Install it (apt-get install shellcheck) to run them; with CI=true its absence fails the run.`;
  describe(`${buildspecFile}: shellcheck`, () => {
    if (!installed && process.env.CI === 'true') {
      it('has shellcheck installed, as CI must', () => {
        throw new Error(missing);
      });
    } else if (!installed) console.warn(missing);

    (installed ? it : it.skip).each(commands.map(({ phase, index, command }) => [`${phase}[${index}]`, command]))('%s has no shellcheck finding', (_name, command) => {
      // SC2154: variables come from the CodeBuild environment, which shellcheck cannot see.
      const result = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '--exclude=SC2154', '-'], { input: command, encoding: 'utf8' });
      expect(result.stdout).toBe('');
      expect(result.status).toBe(0);
    });
  });
}
