import type { Fixtures } from '../../core/run-context.ts';
import type { FixtureName } from './catalogue.ts';

/**
 * What the simulator is given in place of a tenant's existing records (it accepts any
 * DevRev object id as "an existing" record). One set for every pillar: drift's full
 * creates, Pact's fixture state and the contract's examples.
 */
export const SIMULATOR_STAND_INS = {
  revOrg: 'don:identity:dvrv-us-1:devo/0:revo/devrevgate',
  account: 'don:core:dvrv-us-1:devo/0:account/devrevgate',
  tag: 'don:core:dvrv-us-1:devo/0:tag/devrevgate',
  artifact: 'don:core:dvrv-us-1:devo/0:artifact/devrevgate',
  devUser: 'don:identity:dvrv-us-1:devo/0:devu/1',
  tenantCustomFields: { tnt__devrev_gate_plan: 'gold' },
} as const satisfies Required<Pick<Fixtures, FixtureName>>;

/** A second artifact, for a display picture beside the attached artifacts. */
export const SIMULATOR_PICTURE = 'don:core:dvrv-us-1:devo/0:artifact/devrevgatepic';
