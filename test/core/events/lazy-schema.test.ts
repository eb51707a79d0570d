import * as z from 'zod';
import { lazySchema } from '../../../functions/core/events/lazy-schema';
import { provideZod, type ZodNamespace } from '../../../functions/core/zod-on-demand';

// The event modules build their schemas with the zod provided (core/zod-on-demand.ts): a counting one here.
afterEach(() => provideZod(z));

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
      provideZod({ ...real, looseObject: (...args: Parameters<typeof real.looseObject>) => ((objectsBuilt += 1), real.looseObject(...args)) } as ZodNamespace);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const ecr = require('../../../functions/core/events/ecr-image-action') as typeof import('../../../functions/core/events/ecr-image-action');
      const atLoad = objectsBuilt;
      expect(ecr.readImagePush({}, {})).toMatchObject({ ok: false, malformed: true });
      expect(objectsBuilt).toBeGreaterThan(atLoad);
      const afterFirst = objectsBuilt;
      ecr.readImagePush({}, {});
      expect(objectsBuilt).toBe(afterFirst);
    });
  });
});

describe('modules on the gate function\'s cold path', () => {
  // Each is loaded by the gate's entry (functions/handlers/lambda/gate.ts) at a cold start; their schemas serve some
  // events or items only, so none may be built before it is used.
  const modules = [
    '../../../functions/core/events/common',
    '../../../functions/core/taskdef/schema',
    '../../../functions/core/taskdef/launch',
    '../../../functions/adapters/dynamo-items',
    '../../../functions/adapters/dynamo-inventory-items',
  ];

  it.each(modules)('%s builds no zod object schema when it is loaded', (path) => {
    jest.isolateModules(() => {
      const real = jest.requireActual('zod') as typeof import('zod');
      let objectsBuilt = 0;
      const counted =
        <F extends (...args: never[]) => unknown>(build: F) =>
        (...args: Parameters<F>) => ((objectsBuilt += 1), build(...args));
      const countingZod = { ...real, object: counted(real.object), looseObject: counted(real.looseObject), strictObject: counted(real.strictObject) };
      jest.doMock('zod', () => countingZod);
      provideZod(countingZod as ZodNamespace);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(path);
      expect(objectsBuilt).toBe(0);
    });
  });
});
