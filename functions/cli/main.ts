import { runCli } from './program';

runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  // https://no-color.org: any non-empty NO_COLOR turns colour off.
  isTty: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
  ...(process.stdout.isTTY && process.stdout.columns ? { columns: process.stdout.columns } : {}),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`fargate-gate: unexpected error: ${String(error)}\n`);
    process.exitCode = 2;
  },
);
