import { describe, expect, it } from 'vitest';
import { compile } from '../policy/compile';
import { PolicyValidationError } from '../policy/errors';
import type { PolicyDocument } from '../policy/schema';
import { validatePolicy } from '../policy/validate';
import {
  metadataAttributeSources,
  metadataSubjectAttributes,
  tokenSubjectAttributes,
} from './subject-attributes';

const policy: PolicyDocument = {
  version: 1,
  resources: {},
  subject_attributes: {
    kyc_level: { type: 'number', from: 'public_metadata.kyc_level' },
    country: { type: 'string', from: 'public_metadata.country_code' },
    since: { type: 'timestamp', from: 'public_metadata.since' },
    tags: { type: 'string[]', from: 'public_metadata.tags' },
    vip: { type: 'boolean', from: 'public_metadata.constructor' },
    plain: 'number',
    typed_only: { type: 'string' },
    mfa_age_seconds: 'number',
  },
  roles: { member: { permissions: [] } },
  rules: [
    {
      effect: 'allow',
      actions: ['transfers.create'],
      condition: { gte: ['subject.attributes.kyc_level', 2] },
    },
  ],
};

describe('subject attributes from public metadata', () => {
  it('lists only the declarations with a source, with the metadata key', () => {
    expect(metadataAttributeSources(policy)).toEqual([
      { name: 'kyc_level', type: 'number', key: 'kyc_level' },
      { name: 'country', type: 'string', key: 'country_code' },
      { name: 'since', type: 'timestamp', key: 'since' },
      { name: 'tags', type: 'string[]', key: 'tags' },
      { name: 'vip', type: 'boolean', key: 'constructor' },
    ]);
  });

  it('takes values of the declared JSON type, leaves every other one out, never coerces', () => {
    const metadata = JSON.parse(
      '{"kyc_level": 2, "country_code": "FR", "since": "2026-01-02T03:04:05Z", "tags": ["a", "b"], "plain": 5, "typed_only": "x", "secret": 1}',
    );
    expect(metadataSubjectAttributes(policy, metadata)).toEqual({
      kyc_level: 2,
      country: 'FR',
      since: '2026-01-02T03:04:05Z',
      tags: ['a', 'b'],
    });
    for (const [key, value] of [
      ['kyc_level', '2'],
      ['kyc_level', [2]],
      ['kyc_level', null],
      ['kyc_level', { value: 2 }],
      ['country_code', 7],
      ['country_code', 'x'.repeat(1025)],
      ['since', '2026-02-30T00:00:00Z'],
      ['since', '2026-01-02'],
      ['since', 1767322800],
      ['tags', ['a', 1]],
      ['tags', 'a'],
      ['tags', Array(101).fill('a')],
      ['constructor', 'true'],
    ] as const) {
      expect(metadataSubjectAttributes(policy, { [key]: value }), `${key}: ${JSON.stringify(value)}`).toEqual(
        {},
      );
    }
    // A key the metadata does not hold is absent, even one every object inherits.
    expect(metadataSubjectAttributes(policy, {})).toEqual({});
    expect(metadataSubjectAttributes(policy, JSON.parse('{"constructor": true}'))).toEqual({ vip: true });
  });

  it("keeps of a token's attrs only what the document sources, typed as declared", () => {
    const attrs = { kyc_level: 3, plain: 9, typed_only: 'x', mfa_age_seconds: 0, unknown: 'y', country: 4 };
    expect(tokenSubjectAttributes(policy, attrs)).toEqual({ kyc_level: 3 });
    expect(tokenSubjectAttributes(policy, undefined)).toEqual({});
    const compiled = compile(policy);
    const subject = (attributes: Record<string, unknown>) => ({
      id: 'a',
      tenant_id: 't',
      roles: ['member'],
      groups: [],
      attributes,
    });
    expect(compiled.can(subject(tokenSubjectAttributes(policy, { kyc_level: 2 })), 'transfers.create')).toBe(
      true,
    );
    expect(
      compiled.can(subject(tokenSubjectAttributes(policy, { kyc_level: '2' })), 'transfers.create'),
    ).toBe(false);
  });

  it('refuses a source on an attribute Enforcer fills from the session, and any source but public metadata', () => {
    const refusal = (subject_attributes: unknown) => {
      try {
        validatePolicy({
          ...policy,
          subject_attributes: { ...policy.subject_attributes, ...(subject_attributes as object) },
        } as PolicyDocument);
        return undefined;
      } catch (error) {
        expect(error).toBeInstanceOf(PolicyValidationError);
        return (error as PolicyValidationError).issues.map((i) => i.path.join('/'));
      }
    };
    expect(refusal({ mfa_at: { type: 'timestamp', from: 'public_metadata.mfa_at' } })).toEqual([
      'subject_attributes/mfa_at/from',
    ]);
    expect(refusal({ mfa_age_seconds: { type: 'number', from: 'public_metadata.age' } })).toEqual([
      'subject_attributes/mfa_age_seconds/from',
    ]);
    for (const from of [
      'private_metadata.kyc_level',
      'user_metadata.kyc_level',
      'public_metadata.Kyc',
      'public_metadata.a.b',
      'public_metadata.',
    ]) {
      expect(refusal({ kyc_level: { type: 'number', from } }), from).toBeDefined();
    }
    expect(
      refusal({ kyc_level: { type: 'number', from: 'public_metadata.kyc_level', extra: 1 } }),
    ).toBeDefined();
    expect(refusal({ kyc_level: { type: 'number', from: 'public_metadata.kyc_level' } })).toBeUndefined();
  });
});
