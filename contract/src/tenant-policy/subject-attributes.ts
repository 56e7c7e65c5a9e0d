/**
 * What the policy engine learns about a session's second factor, from the access token's
 * `mfa_at` claim (epoch seconds of the sign-in with MFA or of the last step-up). The server
 * and offline verifiers both call this, so they decide alike:
 *
 * - `subject.attributes.mfa_at` (timestamp): when;
 * - `subject.attributes.mfa_age_seconds` (number): how long ago, at the time of the decision.
 *
 * Both are absent (null to the engine) for a session that never completed a second factor.
 * A policy that wants a recent one declares `"subject_attributes": { "mfa_age_seconds": "number" }`
 * and denies, e.g., `{ "not": { "lte": ["subject.attributes.mfa_age_seconds", 300] } }`:
 * null compares false, so "never" is denied too.
 */
export function mfaSubjectAttributes(
  claims: { mfa_at?: number | undefined },
  nowMs: number,
): Record<string, string | number> {
  if (claims.mfa_at === undefined) return {};
  return {
    mfa_at: new Date(claims.mfa_at * 1000).toISOString(),
    mfa_age_seconds: Math.max(0, Math.floor(nowMs / 1000) - claims.mfa_at),
  };
}
