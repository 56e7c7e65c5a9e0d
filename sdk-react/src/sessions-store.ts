import type { ActiveSession } from '@enforcer/contract';
import type { Enforcer, EnforcerError } from '@enforcer/sdk-js';
import { type ListState, perClient, SessionList } from './session-list';

/**
 * The signed-in person's live sessions (`GET /auth/sessions`, every tenant). `sessions` keeps the
 * previous list while a new one loads (after ending one), so a list does not blink.
 */
export interface SessionsState {
  status: 'loading' | 'ready' | 'error';
  sessions: readonly ActiveSession[];
  error: EnforcerError | undefined;
}

const view = (list: ListState<ActiveSession>): SessionsState =>
  Object.freeze({ status: list.status, sessions: list.items, error: list.error });
export const loadingSessions: SessionsState = view(SessionList.loading);

/** The sessions list of one client, shared by every `useSessions()`; listed again after ending sessions. */
export class SessionsStore {
  readonly #client: Enforcer;
  readonly #list: SessionList<ActiveSession>;
  #last: { from: ListState<ActiveSession>; value: SessionsState } | undefined;

  constructor(client: Enforcer) {
    this.#client = client;
    this.#list = new SessionList(client, {
      // The list depends on which session is asking (`current` marks it): a new session is a new list.
      keyOf: (snapshot) => `session:${snapshot.sessionId}`,
      fetch: (c) => c.sessions.list(),
      failure: 'The sessions could not be loaded',
      keepWhileLoading: false,
    });
  }

  subscribe = (listener: () => void): (() => void) => this.#list.subscribe(listener);

  getSnapshot = (): SessionsState => {
    const list = this.#list.getSnapshot();
    if (list === SessionList.loading) return loadingSessions;
    if (this.#last?.from !== list) this.#last = { from: list, value: view(list) };
    return this.#last.value;
  };

  /** Fetches the list again. */
  reload = (): Promise<void> => this.#list.reload();

  /** Ends one session (this client's own signs it out), then lists again. */
  end = async (sessionId: string): Promise<void> => {
    await this.#client.sessions.end(sessionId);
    await this.reload();
  };

  /** Ends every other session, then lists again: how many ended. */
  endOthers = async (): Promise<number> => {
    const ended = await this.#client.sessions.endOthers();
    await this.reload();
    return ended;
  };
}

export const sessionsStoreOf = perClient((client) => new SessionsStore(client));
