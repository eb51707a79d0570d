import { writeSync } from 'node:fs';

/**
 * JSON lines for CloudWatch Logs. Synchronous stdout: a Lambda environment is frozen as soon as the handler
 * returns, and buffered lines written after that would be lost or attributed to the next invocation.
 * Field names the gate uses everywhere: `taskArn`, `digest`, `buildId`, `scanId`, `eventId`, `kind`.
 * Values of environment variables are never logged; the redaction is a second line of defence.
 *
 * The gate's own logger rather than pino: pino and its dependencies were ~63 KB of every function bundle (parsed at
 * each cold start) for the few features used here. The lines are pino's (`level` as a word, `time` in ISO-8601, the
 * `service` base, a child's bindings, then the fields, then `msg`; an `err` field as pino's standard serializer
 * writes it), so log queries and tools keep working.
 */

export type LevelName = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** `log.info('message')`, `log.info({ fields }, 'message')`, `log.error(error, 'message')`. */
export interface LogFn {
  (message: string): void;
  (fields: object | null | undefined, message?: string): void;
}

export interface Logger {
  fatal: LogFn;
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
  trace: LogFn;
  /** The level name, or `silent`. */
  readonly level: string;
  /** A logger whose lines carry `bindings` too (written before each line's own fields). */
  child(bindings: Record<string, unknown>): Logger;
  /** Everything this logger binds, `service` included, as its lines carry them (redacted). */
  bindings(): Record<string, unknown>;
  isLevelEnabled(level: string): boolean;
}

/** Where lines go: each call gets one JSON document and its newline. */
export interface LogDestination {
  write(line: string): unknown;
}

export interface LoggerOptions {
  /** Level name; `LOG_LEVEL` in Lambda. Default `info`. */
  level?: string;
  /** Where lines go; stdout (synchronously) by default. Tests pass a stream to read them back. */
  destination?: LogDestination;
  /** The time lines are stamped with; the real clock by default. `simulate --logs` stamps simulated time. */
  now?: () => Date;
}

const LEVEL_VALUES: Readonly<Record<string, number>> = { fatal: 60, error: 50, warn: 40, info: 30, debug: 20, trace: 10, silent: Infinity };
const LEVEL_NAMES: readonly LevelName[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

const CENSOR = '[redacted]';

export function createLogger(options: LoggerOptions = {}): Logger {
  const requested = options.level?.toLowerCase();
  const level = requested !== undefined && requested in LEVEL_VALUES ? requested : 'info';
  const now = options.now ?? (() => new Date());
  const destination = options.destination ?? STDOUT;
  return new JsonLogger({ level, threshold: LEVEL_VALUES[level], now, destination }, ',"service":"fargate-gate"');
}

/** A logger that writes nothing: the default when whoever builds the gate passes none (tests, benchmark). */
export function silentLogger(): Logger {
  return new JsonLogger({ level: 'silent', threshold: Infinity, now: () => new Date(), destination: { write: () => undefined } }, ',"service":"fargate-gate"');
}

/**
 * A child bound to those of `fields` the logger does not bind yet. A key bound twice would be written twice (JSON
 * with a duplicate key, which log tools read differently); a helper that binds what it logs about may be handed a
 * logger whose caller bound it already.
 */
export function childBinding(log: Logger, fields: Record<string, unknown>): Logger {
  const bound = log.bindings();
  const fresh = Object.fromEntries(Object.entries(fields).filter(([key, value]) => value !== undefined && !(key in bound)));
  return Object.keys(fresh).length > 0 ? log.child(fresh) : log;
}

interface Shared {
  level: string;
  threshold: number;
  now: () => Date;
  destination: LogDestination;
}

class JsonLogger implements Logger {
  readonly fatal: LogFn;
  readonly error: LogFn;
  readonly warn: LogFn;
  readonly info: LogFn;
  readonly debug: LogFn;
  readonly trace: LogFn;

  /** `shared` is one per root logger; `chindings` is the bound part of every line, `,"key":value` each. */
  constructor(
    private readonly shared: Shared,
    private readonly chindings: string,
  ) {
    const method = (name: LevelName): LogFn => {
      if (LEVEL_VALUES[name] < shared.threshold) return noop;
      return (first: object | string | null | undefined, message?: string) => this.write(name, first, message);
    };
    this.fatal = method('fatal');
    this.error = method('error');
    this.warn = method('warn');
    this.info = method('info');
    this.debug = method('debug');
    this.trace = method('trace');
  }

  get level(): string {
    return this.shared.level;
  }

  isLevelEnabled(level: string): boolean {
    const value = LEVEL_NAMES.includes(level as LevelName) ? LEVEL_VALUES[level] : undefined;
    return value !== undefined && value >= this.shared.threshold;
  }

  child(bindings: Record<string, unknown>): Logger {
    return new JsonLogger(this.shared, this.chindings + fieldsJson(bindings));
  }

  bindings(): Record<string, unknown> {
    return JSON.parse(`{${this.chindings.slice(1)}}`) as Record<string, unknown>;
  }

  private write(level: LevelName, first: object | string | null | undefined, message: string | undefined): void {
    let fields: object;
    let msg: unknown = message;
    if (typeof first === 'string') {
      fields = {};
      msg = first;
    } else if (first === undefined || first === null) {
      fields = {};
    } else if (first instanceof Error) {
      fields = { err: first };
      if (msg === undefined) msg = first.message;
    } else {
      fields = first;
      const err = (first as { err?: unknown }).err;
      if (msg === undefined && (first as { msg?: unknown }).msg === undefined && isErrorLike(err)) msg = err.message;
    }
    const time = JSON.stringify(this.shared.now().toISOString());
    const line = `{"level":"${level}","time":${time}${this.chindings}${fieldsJson(fields)}${msg === undefined ? '' : `,"msg":${valueJson(msg)}`}}\n`;
    this.shared.destination.write(line);
  }
}

const noop: LogFn = () => undefined;

/** `,"key":value` for each own field that has a value, redacted, `err` serialized as pino's standard serializer does. */
function fieldsJson(fields: object): string {
  let out = '';
  for (const [key, raw] of Object.entries(fields)) {
    if (raw === undefined || typeof raw === 'function') continue;
    const value = redact(key, key === 'err' ? serializeError(raw) : raw);
    const json = valueJson(value);
    if (json !== undefined) out += `,${JSON.stringify(key)}:${json}`;
  }
  return out;
}

/**
 * The redaction pino was configured with, path for path: `overrides` and `event.detail` at the top, and under any top-level
 * field its `overrides` and the `value` of each entry of its `environment` (a container definition, a container
 * override). Copies: the caller's objects are never changed.
 */
function redact(key: string, value: unknown): unknown {
  if (key === 'overrides') return CENSOR;
  if (!isObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  const set = (name: string, replacement: unknown) => {
    copy ??= Array.isArray(value) ? (Object.assign([], value) as unknown as Record<string, unknown>) : { ...value };
    copy[name] = replacement;
  };
  if (key === 'event' && value.detail !== undefined) set('detail', CENSOR);
  if (value.overrides !== undefined) set('overrides', CENSOR);
  const environment = value.environment;
  if (Array.isArray(environment)) {
    set('environment', environment.map((entry: unknown) => (isObject(entry) && !Array.isArray(entry) && entry.value !== undefined ? { ...entry, value: CENSOR } : entry)));
  }
  return copy ?? value;
}

/** JSON of a value; `undefined` when it has none (a function, a symbol). Never throws: a cycle or a BigInt is written safely. */
function valueJson(value: unknown): string | undefined {
  if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
  try {
    return JSON.stringify(value);
  } catch {
    return JSON.stringify(safeCopy(value, []));
  }
}

/** A copy JSON.stringify can write: cycles become `"[Circular]"`, BigInts their decimal text. */
function safeCopy(value: unknown, ancestors: unknown[]): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (!isObject(value)) return value;
  if (ancestors.includes(value)) return '[Circular]';
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    try {
      return safeCopy(toJSON.call(value), ancestors);
    } catch {
      return '[unserializable]';
    }
  }
  const inner = [...ancestors, value];
  if (Array.isArray(value)) return value.map((item) => safeCopy(item, inner));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = safeCopy(item, inner);
  return copy;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function isErrorLike(value: unknown): value is { message: string } {
  return isObject(value) && typeof value.message === 'string';
}

/**
 * pino's standard `err` serializer (pino-std-serializers `err`): `type`, `message` and `stack` with the causes' appended
 * (`: cause message`, `\ncaused by: cause stack`), then the error's other enumerable properties, errors in them
 * serialized the same way (except `cause`, which the message and stack carry).
 */
function serializeError(error: unknown, seen: Set<object> = new Set()): unknown {
  if (!isErrorLike(error)) return error;
  seen.add(error);
  const constructor = (error as { constructor?: unknown }).constructor;
  const out: Record<string, unknown> = {
    type: typeof constructor === 'function' ? constructor.name : (error as { name?: unknown }).name,
    message: messageWithCauses(error, new Set()),
    stack: stackWithCauses(error, new Set()),
  };
  const aggregate = (error as { errors?: unknown }).errors;
  if (Array.isArray(aggregate)) out.aggregateErrors = aggregate.map((item) => serializeError(item, seen));
  for (const key in error) {
    if (out[key] !== undefined) continue;
    const value = (error as Record<string, unknown>)[key];
    if (isErrorLike(value)) {
      if (key !== 'cause' && !seen.has(value)) out[key] = serializeError(value, seen);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** The message with its causes' (`cause`, or a VError-style `cause()` whose message the error's own already holds). */
function messageWithCauses(error: { message: string }, seen: Set<object>, skip = false): string {
  const message = skip ? '' : error.message || '';
  if (seen.has(error)) return `${message}: ...`;
  const cause = causeOf(error);
  if (cause === undefined) return message;
  seen.add(error);
  const verrorStyle = typeof (error as { cause?: unknown }).cause === 'function';
  return message + (verrorStyle ? '' : ': ') + messageWithCauses(cause, seen, verrorStyle);
}

/** The stack with its causes' stacks, each after `caused by: `. */
function stackWithCauses(error: { message: string; stack?: unknown }, seen: Set<object>): string {
  const stack = typeof error.stack === 'string' ? error.stack : '';
  if (seen.has(error)) return `${stack}\ncauses have become circular...`;
  const cause = causeOf(error);
  if (cause === undefined) return stack;
  seen.add(error);
  return `${stack}\ncaused by: ${stackWithCauses(cause, seen)}`;
}

function causeOf(error: object): { message: string } | undefined {
  const cause = (error as { cause?: unknown }).cause;
  const value = typeof cause === 'function' ? (cause as () => unknown).call(error) : cause;
  return isErrorLike(value) ? value : undefined;
}

/**
 * fd 1, synchronously, as pino's `destination({ dest: 1, sync: true })` (sonic-boom) wrote it: a pipe opened
 * non-blocking answers EAGAIN when full, and the write is retried after a short wait rather than lost.
 */
const STDOUT: LogDestination = {
  write(line: string) {
    let buffer = Buffer.from(line);
    let waits = 0;
    while (buffer.length > 0) {
      try {
        buffer = buffer.subarray(writeSync(1, buffer));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN' || waits >= MAX_EAGAIN_WAITS) throw error;
        waits += 1;
        Atomics.wait(SLEEPER, 0, 0, EAGAIN_WAIT_MS);
      }
    }
  },
};
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));
const EAGAIN_WAIT_MS = 10;
const MAX_EAGAIN_WAITS = 1_000;
