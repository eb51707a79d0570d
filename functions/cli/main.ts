import { runCli } from './program';

/*
 * `fargate-gate evaluate ... | head -1`: once the reader is gone, every write to stdout fails with EPIPE (Node
 * ignores SIGPIPE). An unhandled stream error would crash with a stack trace and exit 1, which a pipeline reads
 * as "policy failed". The rest of the output has no reader, so it is dropped quietly and the exit status is the
 * verdict computed anyway, as for `git log | head`.
 */
let stdoutGone = false;
let outputFailed = false;
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  stdoutGone = true;
  if (error.code === 'EPIPE') return;
  outputFailed = true;
  process.stderr.write(`fargate-gate: cannot write to standard output: ${error.message}\n`);
});
// Nowhere left to report a failing stderr; the exit status still says what happened.
process.stderr.on('error', () => undefined);

runCli(process.argv.slice(2), {
  stdout: (text) => {
    if (!stdoutGone) process.stdout.write(text);
  },
  stderr: (text) => {
    if (!process.stderr.destroyed) process.stderr.write(text);
  },
  // https://no-color.org: any non-empty NO_COLOR turns colour off.
  isTty: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
  ...(process.stdout.isTTY && process.stdout.columns ? { columns: process.stdout.columns } : {}),
}).then(
  (code) => {
    // A result that could not be written is not a verdict anyone saw.
    process.exitCode = outputFailed ? 2 : code;
  },
  (error: unknown) => {
    process.stderr.write(`fargate-gate: unexpected error: ${String(error)}\n`);
    process.exitCode = 2;
  },
);
