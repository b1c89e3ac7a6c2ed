import { STATES, type StatesModule } from '../../contracts/pact/states.ts';

/**
 * Provider states for a Prism mock: Prism keeps no state, but its `Prefer: code=N` request
 * header makes it answer the documented status N, which is what the read-only, throttled,
 * server-fault and taken-unique-value states are for. Fixture ids can be any string: Prism checks
 * shapes, not the tenant.
 */
const prefer = (code: number) => ({ headers: { prefer: `code=${code}` } });

const states: StatesModule = {
  [STATES.tenantFixtures]: () => ({
    values: {
      rev_org: 'REV-prism',
      account: 'ACC-prism',
      tag: 'TAG-prism',
      artifact: 'ARTIFACT-prism',
      dev_user: 'DEVU-prism',
    },
  }),
  [STATES.customField]: () => ({ values: { custom_field_value: 'gold' } }),
  [STATES.uniqueTaken]: (params) => ({ values: { [String(params['field'])]: `prism-taken-${String(params['field'])}` }, ...prefer(409) }),
  [STATES.readOnly]: () => prefer(403),
  [STATES.throttled]: () => prefer(429),
  [STATES.serverFault]: (params) => prefer(Number(params['status'])),
};

export default states;
