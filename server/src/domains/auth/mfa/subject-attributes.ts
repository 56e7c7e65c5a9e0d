import { mfaSubjectAttributes as fromClaims } from '@enforcer/contract';

/**
 * `subject.attributes` from an access token's `mfa_at` claim: the one definition lives in
 * @enforcer/contract (offline verifiers use it too).
 */
export const mfaSubjectAttributes = (claims: { mfa_at?: number | undefined }, now: Date) =>
  fromClaims(claims, now.getTime());
