import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runValues } from '../../api-model/cases/request-values.ts';
import { SIMULATOR_STAND_INS } from '../../api-model/cases/stand-ins.ts';
import { endpointModels } from '../../api-model/endpoints/index.ts';
import { valueAt } from '../../core/pointer.ts';
import { type RunningSimulator, startSimulator } from '../../simulator/index.ts';
import { bearer, send } from './http.ts';

// The simulator serves every endpoint of the model, and the call that removes what each
// creates: a model endpoint without a handler, or a cleanup call without a route (a 404
// that a delete's cleanup would take for "already gone"), fails here.

let sim: RunningSimulator;
beforeAll(async () => {
  sim = await startSimulator({});
});
afterAll(() => sim.close());

describe('the simulator, for every endpoint of the model', () => {
  for (const m of endpointModels()) {
    it(`creates with ${m.spec.name}'s minimal create and removes it with ${m.cleanup.endpoint.name}`, async () => {
      const minimal = m.cases.find((c) => c.name === 'minimal-create')!.request!(runValues('dgsimall', (n) => SIMULATOR_STAND_INS[n]));
      expect('body' in minimal).toBe(true);
      const created = await send(sim.url, m.spec.path, { body: 'body' in minimal ? minimal.body : {}, authorization: bearer('tok-every') });
      expect(created.status, created.text).toBe(m.spec.successStatus);
      const id = valueAt(created.json, `/${m.spec.envelope}/id`);
      expect(typeof id).toBe('string');
      const removed = await send(sim.url, m.cleanup.endpoint.path, { body: { id }, authorization: bearer('tok-every') });
      expect(removed.status, removed.text).toBe(m.cleanup.endpoint.successStatus);
    });
  }
});
