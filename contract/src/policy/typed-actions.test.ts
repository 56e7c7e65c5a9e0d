import { describe, expect, it } from 'vitest';
import { bankingPolicy } from './fixtures/banking';
import { actionCatalogueIssues, defineActions } from './typed-actions';

describe('defineActions', () => {
  it('lists every resource.verb of the catalogue, frozen', () => {
    const actions = defineActions({ transfers: ['create', 'read'], accounts: ['read'] });
    expect(actions).toEqual(['transfers.create', 'transfers.read', 'accounts.read']);
    expect(Object.isFrozen(actions)).toBe(true);
  });
});

describe('actionCatalogueIssues', () => {
  const declared = defineActions({
    accounts: ['read', 'update', 'close'],
    transfers: ['create', 'read', 'approve', 'update'],
    documents: ['read', 'update', 'delete'],
    profile: ['read', 'update'],
    groups: ['read'],
  });

  it('finds nothing when the catalogue and the policy agree', () => {
    const issues = actionCatalogueIssues(bankingPolicy, declared);
    expect(issues).toEqual({ undeclared: [], unused: [] });
  });

  it('names an action the policy spells differently (a typo in the policy)', () => {
    const typo = structuredClone(bankingPolicy);
    typo.roles!.member!.permissions = ['profile.read', 'profile.updtae'];
    expect(actionCatalogueIssues(typo, declared).undeclared).toEqual(['profile.updtae']);
  });

  it('names a declared action nothing grants or rules on, and counts patterns as naming what they match', () => {
    const policy = {
      version: 1 as const,
      resources: {},
      roles: { clerk: { permissions: ['documents.*'] } },
      rules: [],
    };
    const issues = actionCatalogueIssues(policy, ['documents.read', 'transfers.create']);
    expect(issues).toEqual({ undeclared: [], unused: ['transfers.create'] });
  });
});
