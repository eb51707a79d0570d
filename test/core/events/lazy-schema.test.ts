import { lazySchema } from '../../../functions/core/events/lazy-schema';

describe('lazySchema', () => {
  it('builds nothing until first used, then builds once and hands back the same schema', () => {
    const build = jest.fn(() => ({ schema: 'built' }));
    const schema = lazySchema(build);
    expect(build).not.toHaveBeenCalled();
    const first = schema();
    expect(schema()).toBe(first);
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('an event module builds its schemas on its first event, not when it is loaded', () => {
    jest.isolateModules(() => {
      const real = jest.requireActual('zod') as typeof import('zod');
      let objectsBuilt = 0;
      jest.doMock('zod', () => ({ ...real, looseObject: (...args: Parameters<typeof real.looseObject>) => ((objectsBuilt += 1), real.looseObject(...args)) }));
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const ecr = require('../../../functions/core/events/ecr-image-action') as typeof import('../../../functions/core/events/ecr-image-action');
      const atLoad = objectsBuilt; // the envelope's schema (common.ts), which every event needs
      expect(ecr.readImagePush({}, {})).toMatchObject({ ok: false, malformed: true });
      expect(objectsBuilt).toBeGreaterThan(atLoad);
      const afterFirst = objectsBuilt;
      ecr.readImagePush({}, {});
      expect(objectsBuilt).toBe(afterFirst);
    });
  });
});
