import type { AnyPrincipal, PrincipalSlots } from '../principal';

/** A verified token in the verifier's cache (the shared `VerifiedTokenCache`): its principal as built. */
export interface CachedToken {
  principal: AnyPrincipal & PrincipalSlots;
  /** `exp`, epoch seconds. */
  exp: number;
  kid: string;
}
