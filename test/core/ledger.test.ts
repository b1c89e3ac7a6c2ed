import { describe, expect, it } from 'vitest';
import { Ledger } from '../../core/ledger.ts';

/**
 * A provider may hand out the same id twice (Prism's static example answers `"string"`
 * to every create): each create is still its own record, keyed by endpoint and id.
 */
describe('the ledger keys records by endpoint and id and never merges two creates', () => {
  it('counts two creates with the same id as two records, each settled by its own removal', () => {
    const l = new Ledger(null, 'run1');
    l.record({ event: 'created', endpoint: 'rev-users.create', id: 'string' });
    l.record({ event: 'created', endpoint: 'rev-users.create', id: 'string' });
    l.record({ event: 'created', endpoint: 'dev-users.create', id: 'string' });
    expect(l.outstanding()).toHaveLength(3);
    l.record({ event: 'removed', endpoint: 'rev-users.create', id: 'string' });
    expect(l.outstanding().map((e) => e.endpoint)).toEqual(['rev-users.create', 'dev-users.create']);
    expect(l.counts()).toEqual({ created: 3, removed: 1 });
    expect(l.remaining()).toHaveLength(2);
  });

  it('does not let a removal on one endpoint settle a record of the other', () => {
    const l = new Ledger(null, 'run1');
    l.record({ event: 'created', endpoint: 'dev-users.create', id: 'X' });
    l.record({ event: 'removed', endpoint: 'rev-users.create', id: 'X' });
    expect(l.remaining().map((e) => e.endpoint)).toEqual(['dev-users.create']);
    expect(l.counts()).toEqual({ created: 1, removed: 0 });
  });

  it('keeps created = removed + remaining, deactivated dev users remaining', () => {
    const l = new Ledger(null, 'run1');
    for (let i = 0; i < 4; i++) l.record({ event: 'created', endpoint: 'dev-users.create', id: 'string' });
    for (let i = 0; i < 3; i++) l.record({ event: 'created', endpoint: 'rev-users.create', id: 'string' });
    for (let i = 0; i < 3; i++) l.record({ event: 'removed', endpoint: 'rev-users.create', id: 'string' });
    for (let i = 0; i < 4; i++) l.record({ event: 'deactivated', endpoint: 'dev-users.create', id: 'string' });
    const { created, removed } = l.counts();
    expect({ created, removed, remaining: l.remaining().length }).toEqual({ created: 7, removed: 3, remaining: 4 });
    expect(l.outstanding()).toHaveLength(0);
  });
});
