import type { RevocationFeed } from '@enforcer/contract';

/** An account as the feed last described it: its grant now, which beats any token minted before. */
export interface FedAccount {
  active: boolean;
  deleted: boolean;
  roles: readonly string[];
  groups: readonly string[];
  grantVersion: number;
  receivedAt: number;
}

/** An application as the feed last described it (#18): deleted, or its scopes now. */
export interface FedApplication {
  deleted: boolean;
  scopes: readonly string[];
  receivedAt: number;
}

/**
 * What the feed has said, kept in memory: ended sessions and accounts whose grant changed. Each entry
 * is kept for `retention` after it arrived (the server's access-token lifetime plus tolerance): after
 * that, every token it could concern has expired. `generation` changes whenever anything changes, so
 * principals computed before can be recomputed.
 */
export class RevocationState {
  readonly sessions = new Map<string, number>();
  readonly accounts = new Map<string, FedAccount>();
  /** Revoked client tokens (`jti`) → when the feed said so. */
  readonly clientTokens = new Map<string, number>();
  /** Applications (client id) whose scopes changed or that were deleted. */
  readonly applications = new Map<string, FedApplication>();
  generation = 0;

  apply(
    page: Pick<RevocationFeed, 'sessions' | 'accounts'> &
      Partial<Pick<RevocationFeed, 'client_tokens' | 'applications'>>,
    nowMs: number,
  ): void {
    // A server from before #18's client tokens sends neither list.
    const clientTokens = page.client_tokens ?? [];
    const applications = page.applications ?? [];
    if (
      page.sessions.length === 0 &&
      page.accounts.length === 0 &&
      clientTokens.length === 0 &&
      applications.length === 0
    ) {
      return;
    }
    for (const token of clientTokens) {
      this.clientTokens.delete(token.jti);
      this.clientTokens.set(token.jti, nowMs);
    }
    for (const app of applications) {
      this.applications.delete(app.client_id);
      this.applications.set(app.client_id, {
        deleted: app.deleted,
        scopes: Object.freeze([...app.scopes]),
        receivedAt: nowMs,
      });
    }
    for (const session of page.sessions) {
      this.sessions.delete(session.session_id); // re-insert: the map stays ordered by arrival
      this.sessions.set(session.session_id, nowMs);
    }
    for (const account of page.accounts) {
      this.accounts.delete(account.account_id);
      this.accounts.set(account.account_id, {
        active: account.active,
        deleted: account.deleted,
        roles: Object.freeze([...account.roles]),
        groups: Object.freeze([...account.groups]),
        grantVersion: account.grant_version,
        receivedAt: nowMs,
      });
    }
    this.generation++;
  }

  /** Forgets entries older than `retentionMs` (maps are in arrival order: stop at the first young one). */
  prune(nowMs: number, retentionMs: number): void {
    const cutoff = nowMs - retentionMs;
    let pruned = false;
    for (const [id, receivedAt] of this.sessions) {
      if (receivedAt > cutoff) break;
      this.sessions.delete(id);
      pruned = true;
    }
    for (const [id, account] of this.accounts) {
      if (account.receivedAt > cutoff) break;
      this.accounts.delete(id);
      pruned = true;
    }
    for (const [jti, receivedAt] of this.clientTokens) {
      if (receivedAt > cutoff) break;
      this.clientTokens.delete(jti);
      pruned = true;
    }
    for (const [id, app] of this.applications) {
      if (app.receivedAt > cutoff) break;
      this.applications.delete(id);
      pruned = true;
    }
    if (pruned) this.generation++;
  }
}
