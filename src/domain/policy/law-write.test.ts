import { describe, expect, it } from 'vitest';
import type { Role } from '../registry/index.js';
import { decide, type Principal } from './policy.js';

/** 'law.write' (issue 19 item 2, decision 0033): a state authority speaks for its own law only. */
function principal(
  kind: Principal['organisationKind'],
  state: string | null,
  roles: Role[],
  org: string | null = 'o',
): Principal {
  return {
    userId: 'u',
    login: 'l',
    organisationId: org,
    organisationKind: kind,
    state,
    roles: new Set(roles),
  };
}

describe("decide(…, 'law.write')", () => {
  it('lets a state authority admin or submitter write its own state, and hides other states', () => {
    for (const role of ['admin', 'submitter'] as const) {
      const p = principal('state-authority', 'XA', [role]);
      expect(decide(p, 'law.write', new Set(['XA']), { state: 'XA' })).toBe('allow');
      expect(decide(p, 'law.write', new Set(['XA']), { state: 'XB' })).toBe('not-found');
    }
  });
  it('refuses reviewers, auditors, operators and inspectorates', () => {
    expect(
      decide(principal('state-authority', 'XA', ['reviewer']), 'law.write', 'all', { state: 'XA' }),
    ).toBe('forbidden');
    expect(decide(principal('state-authority', 'XA', ['auditor']), 'law.write', 'all', { state: 'XA' })).toBe(
      'forbidden',
    );
    expect(decide(principal('operator', 'XA', ['submitter']), 'law.write', 'all', { state: 'XA' })).toBe(
      'forbidden',
    );
    expect(
      decide(principal('inspectorate', null, ['admin', 'inspector']), 'law.write', 'all', { state: 'XA' }),
    ).toBe('forbidden');
  });
  it('is the one action a global admin does not get: the node operator does not speak for a state', () => {
    const global = principal(null, null, ['admin'], null);
    expect(decide(global, 'law.write', 'all', { state: 'XA' })).toBe('forbidden');
    expect(decide(global, 'data.read', 'all', { state: 'XA' })).toBe('allow');
  });
});
