import type { Account, Person, Tenant, TokenResponse } from '@enforcer/contract';
import { decodeClaims } from './claims';

/** What the SDK keeps in storage: the token pair and who it is for. */
export interface StoredSession {
  v: 1;
  token: string;
  /** Absent in the cookie mode (`tokenStorage: 'cookie'`): the browser keeps it, HttpOnly, out of reach. */
  refresh_token?: string;
  /** When the access token expires, as the server said it (ISO 8601). */
  expires_at: string;
  /**
   * When the access token expires on this machine's clock (epoch ms): its lifetime
   * (`exp - iat`) counted from when it arrived, so a skewed local clock does not matter.
   */
  expires: number;
  /**
   * Incremented by every rotation, switch and sign-in this browser saw (each is written after
   * reading the previous one): of two copies, the higher wins; then the later `received`.
   */
  seq: number;
  /** When this copy arrived (local epoch ms). */
  received: number;
  /** The session (refresh-token family) id: the `sid` claim. */
  sid: string;
  account: Account;
  person: Person;
  tenant: Tenant;
}

export function toStoredSession(response: TokenResponse, now: number, seq: number): StoredSession {
  const claims = decodeClaims(response.token);
  const lifetime = claims ? (claims.exp - claims.iat) * 1000 : Date.parse(response.expires_at) - now;
  return {
    v: 1,
    token: response.token,
    ...(response.refresh_token !== undefined ? { refresh_token: response.refresh_token } : {}),
    expires_at: response.expires_at,
    expires: now + lifetime,
    seq,
    received: now,
    sid: claims?.sid ?? '',
    account: response.account,
    person: response.person,
    tenant: response.tenant,
  };
}

export function parseStoredSession(text: string | null): StoredSession | null {
  if (!text) return null;
  try {
    const value = JSON.parse(text) as StoredSession;
    return value?.v === 1 &&
      typeof value.token === 'string' &&
      (value.refresh_token === undefined || typeof value.refresh_token === 'string') &&
      typeof value.seq === 'number'
      ? value
      : null;
  } catch {
    return null;
  }
}

/** The newer of two copies of a session (either may be missing); `a` on a tie. */
export const newer = (a: StoredSession | null, b: StoredSession | null): StoredSession | null =>
  !a ? b : !b ? a : b.seq > a.seq || (b.seq === a.seq && b.received > a.received) ? b : a;
