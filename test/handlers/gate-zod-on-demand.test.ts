import * as z from 'zod';
import { readLifecycleHook } from '../../functions/core/events/lifecycle-hook';
import { forgetZod, provideZod, zodProvided } from '../../functions/core/zod-on-demand';
import { createGate } from '../../functions/handlers/gate';
import { withZod } from '../../functions/io/zod-loader';
import { createWorld, policyOf } from './support/fakes';
import { REGISTRY, REVISION_ARN, digestOf, hookPayload, registerTaskDefinition, storeVerdict, taskEvent } from './support/scenario';

/*
 * The gate and the hook read what AWS sends without zod (core/zod-on-demand.ts): a well-formed event or invocation
 * leaves zod unloaded, and anything else loads it and gets the schema's own message, as when zod was at hand.
 */
const WEB = `${REGISTRY}/shop/web`;
const GOOD = digestOf('good');
const policy = policyOf();

function world() {
  const w = createWorld();
  registerTaskDefinition(w, 'web', [{ name: 'web', image: `${WEB}:3` }]);
  const taskDefinitionArn = registerTaskDefinition(w, 'web', [{ name: 'web', image: `${WEB}:3` }], 9);
  w.ecs.revisions.set(REVISION_ARN, { cluster: 'prod', service: 'web', taskDefinitionArn, containers: [{ name: 'web', image: `${WEB}:3`, imageDigest: GOOD }] });
  storeVerdict(w, policy, GOOD, { reference: `${WEB}:3`, critical: 0 });
  return w;
}

const taskOfWeb = () => taskEvent({ family: 'web', containers: [{ name: 'web', image: `${WEB}:3`, imageDigest: GOOD }] });

describe('zod on the gate and hook paths', () => {
  afterEach(() => provideZod(z));

  it('a well-formed task event is judged without loading zod', async () => {
    const gate = createGate(world().deps(policy));
    forgetZod();
    const result = await gate.handleEvent(taskOfWeb());
    expect(result.kind).toBe('taskStateChange');
    expect(zodProvided()).toBe(false);
  });

  it('a malformed task event loads zod and is ignored with the schema\'s message', async () => {
    const event = taskOfWeb();
    (event.detail as Record<string, unknown>).taskArn = 'not-an-arn';
    forgetZod();
    const result = await createGate(world().deps(policy)).handleEvent(structuredClone(event));
    expect(zodProvided()).toBe(true);
    // The schemas are built by then (with the zod loaded): read again, now with zod at hand.
    expect(result).toEqual(await createGate(world().deps(policy)).handleEvent(event));
    expect(result).toMatchObject({ kind: 'ignored', malformed: true, reason: expect.stringContaining('expected a task ARN') });
  });

  it('a well-formed hook invocation is answered without loading zod', async () => {
    const gate = createGate(world().deps(policy));
    forgetZod();
    expect(await gate.handleHook(hookPayload())).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(zodProvided()).toBe(false);
  });

  it("a malformed hook invocation loads zod and reads as with zod at hand: the schema's message", async () => {
    const payload = hookPayload();
    (payload.executionDetails as Record<string, unknown>).targetServiceRevisionArn = 'nope';
    forgetZod();
    const answer = await createGate(world().deps(policy)).handleHook(payload);
    expect(zodProvided()).toBe(true);
    expect(answer).toEqual(await createGate(world().deps(policy)).handleHook(payload));
    forgetZod();
    const reading = await withZod(() => readLifecycleHook(payload));
    expect(reading).toEqual(readLifecycleHook(payload));
    expect(reading).toMatchObject({ ok: false, reason: expect.stringContaining('expected a service revision ARN') });
  });
});
