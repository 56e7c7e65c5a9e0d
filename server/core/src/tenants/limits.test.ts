import { defaultPolicy, tenantLimitDefaults, tenantLimitsOf } from '@enforcer/contract';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import {
  assertDocumentWithinLimits,
  assertGroupsPerAccount,
  assertPermissionLimit,
  assertRolesPerAccount,
} from './limits.js';

const refusal = (run: () => void) => {
  try {
    run();
  } catch (error) {
    return error as AppError;
  }
  throw new Error('expected a refusal');
};

describe('tenant limits', () => {
  it('fills in the defaults and ignores stored values that are not limits', () => {
    expect(tenantLimitsOf(undefined)).toEqual(tenantLimitDefaults);
    expect(
      tenantLimitsOf({
        max_permissions_per_role: 3,
        max_groups_per_account: 0,
        max_permissions_per_group: 'x',
      }),
    ).toEqual({ ...tenantLimitDefaults, max_permissions_per_role: 3 });
  });

  it('refuses a role or group over its limit with limit_exceeded naming the limit', () => {
    const limits = tenantLimitsOf({ max_permissions_per_role: 2, max_permissions_per_group: 1 });
    assertPermissionLimit(limits, 'role', 'r', ['a.x', 'b.x']);
    const role = refusal(() => assertPermissionLimit(limits, 'role', 'r', ['a.x', 'b.x', 'c.x']));
    expect(role).toBeInstanceOf(AppError);
    expect(role.code).toBe('limit_exceeded');
    expect(role.message).toContain('limits.max_permissions_per_role');
    expect(refusal(() => assertPermissionLimit(limits, 'group', 'g', ['a.x', 'b.x'])).message).toContain(
      'limits.max_permissions_per_group',
    );
  });

  it('checks only the roles and groups a document adds or changes', () => {
    const limits = tenantLimitsOf({ max_permissions_per_role: 2, max_permissions_per_group: 2 });
    const before = defaultPolicy(); // admin grants 12 patterns: over the limit already
    const same = structuredClone(before);
    same.roles.member!.description = 'changed, permissions not';
    assertDocumentWithinLimits(limits, before, same);
    const wider = structuredClone(before);
    wider.roles.member!.permissions = ['a.x', 'b.x', 'c.x'];
    expect(refusal(() => assertDocumentWithinLimits(limits, before, wider)).code).toBe('limit_exceeded');
    const newGroup = structuredClone(before);
    newGroup.groups = { ...newGroup.groups, wide: { permissions: ['a.x', 'b.x', 'c.x'] } };
    expect(refusal(() => assertDocumentWithinLimits(limits, before, newGroup)).message).toContain(
      'group "wide"',
    );
  });

  it('refuses joining one group more than max_groups_per_account', () => {
    const limits = tenantLimitsOf({ max_groups_per_account: 2 });
    assertGroupsPerAccount(limits, 1);
    expect(refusal(() => assertGroupsPerAccount(limits, 2)).code).toBe('limit_exceeded');
  });

  it('refuses one role more than max_roles_per_account (default 10)', () => {
    assertRolesPerAccount(tenantLimitsOf({}), 9);
    expect(refusal(() => assertRolesPerAccount(tenantLimitsOf({}), 10)).code).toBe('limit_exceeded');
    const limits = tenantLimitsOf({ max_roles_per_account: 2 });
    assertRolesPerAccount(limits, 1);
    const refused = refusal(() => assertRolesPerAccount(limits, 2));
    expect(refused.code).toBe('limit_exceeded');
    expect(refused.message).toContain('limits.max_roles_per_account');
  });
});
