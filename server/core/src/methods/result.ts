import type { Refusal } from '../result.js';
import { refuse } from '../result.js';

/** The identity a sign-in proof establishes: a provider and the provider's subject for the person. */
export interface ProvenSubject {
  provider: string;
  subject: string;
  email?: string | null;
}

/**
 * A sign-in proof's refusal: the contract error code and detail, plus the reason the audit log and the
 * sign-in throttle see (`countsAsGuess`).
 */
export type ProofRefusal = Refusal & { reason: string; cause?: unknown };

export type ProofResult<T = ProvenSubject> = { ok: true; value: T } | ProofRefusal;

export const refuseProof = (code: Refusal['code'], reason: string, detail: string): ProofRefusal => ({
  ...refuse(code, detail),
  reason,
});
