import { Writable } from 'node:stream';
import { createLogger } from '../../functions/handlers/logger';

function capture(level?: string) {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: createLogger({ level, destination }), lines };
}

describe('createLogger', () => {
  it('writes JSON lines with the level as a word, the service and a child\'s fields', () => {
    const { logger, lines } = capture();
    logger.child({ taskArn: 't', digest: 'sha256:x' }).warn({ buildId: 'b' }, 'task stopped');
    expect(lines[0]).toMatchObject({ level: 'warn', service: 'fargate-gate', taskArn: 't', digest: 'sha256:x', buildId: 'b', msg: 'task stopped' });
    expect(typeof lines[0].time).toBe('string');
  });

  it('never writes environment values or raw overrides', () => {
    const { logger, lines } = capture();
    logger.info({ spec: { environment: [{ name: 'TOKEN', value: 's3cr3t' }] }, overrides: { containerOverrides: [{ environment: [{ name: 'A', value: 'b' }] }] } }, 'x');
    expect(JSON.stringify(lines[0])).not.toContain('s3cr3t');
    expect(lines[0].overrides).toBe('[redacted]');
  });

  it('falls back to info for an unknown level', () => {
    const { logger, lines } = capture('chatty');
    logger.debug('hidden');
    logger.info('shown');
    expect(lines.map((l) => l.msg)).toEqual(['shown']);
  });
});
