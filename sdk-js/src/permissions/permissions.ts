import type { PermissionsResponse } from '@enforcer/contract';
import type { CompiledPolicy, Resource } from '@enforcer/contract/policy';
import type { PermissionsState } from '../session/snapshot';
import { EnforcerError } from '../shared/errors';

/**
 * The policy engine is loaded on first use, in its own chunk (engine.ts): it is not needed to
 * sign in. Until it and `GET /auth/permissions` are there, `can()` answers false (deny by
 * default) and the snapshot says `loading`. The document comes from the server, which
 * validated it: it is compiled without the shape check (`compileValidated`, no zod); one
 * that does not compile leaves `can()` answering false.
 */
const loadEngine = () => import('./engine');

interface Loaded {
  accountId: string;
  etag: string;
  compiled: CompiledPolicy;
  response: PermissionsResponse;
}

/** Local `can()` from what `GET /auth/permissions` delivers, compiled once per policy ETag. */
export class Permissions {
  readonly #fetch: () => Promise<PermissionsResponse>;
  readonly #onChange: () => void;
  #state: PermissionsState = { status: 'loading' };
  #loaded: Loaded | undefined;
  #accountId: string | undefined;
  #generation = 0;
  #pending: Promise<void> | undefined;

  constructor(fetchPermissions: () => Promise<PermissionsResponse>, onChange: () => void) {
    this.#fetch = fetchPermissions;
    this.#onChange = onChange;
  }

  get state(): PermissionsState {
    return this.#state;
  }

  /** The signed-in account changed (or is gone): forget what belonged to the previous one. */
  reset(accountId: string | undefined): void {
    if (accountId === this.#accountId) return;
    this.#accountId = accountId;
    this.#generation++;
    this.#pending = undefined;
    if (this.#loaded?.accountId !== accountId) this.#loaded = undefined;
    this.#set({ status: 'loading' });
  }

  /** Fetches the permissions again (after a sign-in, a refresh, or when told the policy changed). */
  reload(): Promise<void> {
    const generation = ++this.#generation;
    const accountId = this.#accountId;
    const run = async () => {
      try {
        const [response, engine] = await Promise.all([this.#fetch(), loadEngine()]);
        if (generation !== this.#generation || !accountId) return;
        const compiled =
          this.#loaded && this.#loaded.etag === response.policy_etag
            ? this.#loaded.compiled
            : engine.compileValidated(response.policy);
        this.#loaded = { accountId, etag: response.policy_etag, compiled, response };
        this.#set({
          status: 'ready',
          etag: response.policy_etag,
          permissions: response.permissions,
          subject: response.subject,
        });
      } catch (error) {
        if (generation !== this.#generation) return;
        // A failed reload keeps a policy that is still this account's (it is only stale).
        if (this.#loaded?.accountId === accountId) return;
        this.#set({
          status: 'error',
          error:
            error instanceof EnforcerError
              ? error
              : new EnforcerError('invalid_response', 'The permissions could not be loaded', {
                  cause: error,
                }),
        });
      }
    };
    const pending = run();
    this.#pending = pending;
    return pending;
  }

  /** Resolves when the latest reload has settled. */
  async settled(): Promise<void> {
    while (this.#pending) {
      const pending = this.#pending;
      await pending;
      if (this.#pending === pending) break;
    }
  }

  can(action: string, resource?: Resource): boolean {
    const loaded = this.#loaded;
    if (!loaded || loaded.accountId !== this.#accountId) return false;
    return loaded.compiled.can(loaded.response.subject, action, resource);
  }

  /** The compiled policy and subject, for `explain()` and `plan()` (undefined until loaded). */
  policy(): { compiled: CompiledPolicy; subject: PermissionsResponse['subject'] } | undefined {
    const loaded = this.#loaded;
    return loaded && loaded.accountId === this.#accountId
      ? { compiled: loaded.compiled, subject: loaded.response.subject }
      : undefined;
  }

  #set(state: PermissionsState): void {
    this.#state = state;
    this.#onChange();
  }
}
