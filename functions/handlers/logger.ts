import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** pino level name; `LOG_LEVEL` in Lambda. Default `info`. */
  level?: string;
  /** Where lines go; stdout (synchronously) by default. Tests pass a stream to read them back. */
  destination?: DestinationStream;
  /** The time lines are stamped with; the real clock by default. `simulate --logs` stamps simulated time. */
  now?: () => Date;
}

const LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/**
 * JSON lines for CloudWatch Logs. Synchronous stdout: a Lambda environment is frozen as soon as the handler
 * returns, and buffered lines written after that would be lost or attributed to the next invocation.
 * Field names the gate uses everywhere: `taskArn`, `digest`, `buildId`, `scanId`, `eventId`, `kind`.
 * Values of environment variables are never logged; the redaction is a second line of defence.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level && LEVELS.has(options.level.toLowerCase()) ? options.level.toLowerCase() : 'info';
  return pino(
    {
      level,
      base: { service: 'fargate-gate' },
      timestamp: options.now ? simulatedTime(options.now) : pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: ['*.environment[*].value', '*.overrides', 'overrides', 'event.detail'], censor: '[redacted]' },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** pino's `isoTime` format (`,"time":"<ISO-8601>"`), read from another clock. */
function simulatedTime(now: () => Date): () => string {
  return () => `,"time":"${now().toISOString()}"`;
}

/**
 * A child bound to those of `fields` the logger does not bind yet. pino writes a key bound twice twice (JSON with a
 * duplicate key, which log tools read differently); a helper that binds what it logs about may be handed a logger
 * whose caller bound it already.
 */
export function childBinding(log: Logger, fields: Record<string, unknown>): Logger {
  const bound = log.bindings();
  const fresh = Object.fromEntries(Object.entries(fields).filter(([key, value]) => value !== undefined && !(key in bound)));
  return Object.keys(fresh).length > 0 ? log.child(fresh) : log;
}

/** A logger that writes nothing: the default when whoever builds the gate passes none (tests, benchmark). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
