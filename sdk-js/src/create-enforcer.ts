import type {
  ActiveSession,
  AuthorizeCheck,
  AuthorizeResponse,
  LoginBody,
  Membership,
  MeResponse,
  OAuthLinkResult,
  OtpRequestResponse,
  PermissionsResponse,
  RegisterResponse,
  SecondFactor,
  StepUpResponse,
  TokenResponse,
  TotpEnrollment,
  UpdateProfileBody,
  UpdateUserMetadataBody,
} from '@enforcer/contract';
import { type ErrorCode, errorCodes } from '@enforcer/contract/browser';
import type { Action, CompiledPolicy, Resource } from '@enforcer/contract/policy';
import {
  type ClientRequest,
  type ClientResponse,
  createClient,
  type EnforcerClient,
  sendRequest,
} from './client/create-client';
import type { FlowContext } from './flows/context';
import { newOAuthVerifier, oauthVerifierSlot } from './flows/oauth-verifier';
import type { PasskeyFlows } from './flows/passkeys';
import { Permissions } from './permissions/permissions';
import { decodeClaims } from './session/claims';
import { type SessionChange, SessionManager } from './session/session-manager';
import {
  loadingSnapshot,
  type SessionSnapshot,
  type SignedInSnapshot,
  signedOutSnapshot,
} from './session/snapshot';
import type { StoredSession } from './session/stored-session';
import { type Clock, systemClock } from './shared/clock';
import { EnforcerError, isEnforcerError, unwrap } from './shared/errors';
import { resolveStorage, type StorageOption } from './storage/storage';
import { type ChannelFactory, platformChannel } from './sync/channel';
import { type LockManagerLike, platformLocks } from './sync/locks';

export interface EnforcerOptions {
  /** Where Enforcer answers: the origin (`https://api.example.com`); paths add `/api/v1/enforcer`. */
  baseUrl: string;
  /** The tenant people sign in to by default (`2OPX-BYIE-GDUH`). */
  tenantCode?: string;
  /** Where the session is kept: `memory` (default), `local`, `session` or your own adapter. */
  storage?: StorageOption;
  /**
   * Where the refresh token lives. `storage` (default): with the session, in `storage`. `cookie`: in an
   * HttpOnly cookie the server sets (`__Secure-enforcer-refresh`, scoped to the refresh and logout routes),
   * so no script, an injected one included, can read it; `storage` then keeps only the short-lived access
   * token and who it is for. Every call to Enforcer is made with `credentials: 'include'` and the
   * `Enforcer-Refresh-Cookie: 1` header; a reload restores the session with one refresh. Needs the page's
   * origin in the tenant's `allowed_origins` and the page same-site with Enforcer (see docs/sdk-js.md).
   */
  tokenStorage?: 'storage' | 'cookie';
  /**
   * Server rendering (#20): mirror the short-lived access token into a cookie of the page's own origin, so
   * page navigations (which carry no `Authorization` header) bring it to your server, where
   * `principalFromRequest` of `@enforcer/node-verifier` verifies it. Written on every sign-in and refresh,
   * removed on sign-out; it lives until the token expires. `true`: `enforcer-access-token`, `Path=/`,
   * `SameSite=Lax`, `Secure` on https pages. Not HttpOnly (a script writes it): it holds only what the
   * SDK's memory already holds, never the refresh token.
   */
  accessTokenCookie?: boolean | AccessTokenCookieOptions;
  /** The storage key, and the name tabs coordinate under. Default `enforcer.session`. */
  storageKey?: string;
  /**
   * Where social sign-in keeps the verifier its one-time code is bound to, from `signInWithOAuth` to
   * `completeOAuthSignIn` (under `<storageKey>.oauth_verifier`). Default `session` (this tab's
   * sessionStorage, memory where there is none): the callback page must be opened in the same tab.
   */
  oauthVerifierStorage?: StorageOption;
  /** Default: the global `fetch`, looked up at each call (so test interceptors apply). */
  fetch?: typeof fetch;
  clock?: Clock;
  /** Cross-tab refresh lock. Default `navigator.locks` where it exists; `null` turns it off. */
  locks?: LockManagerLike | null;
  /** Cross-tab messages. Default BroadcastChannel where it exists; `null` turns them off. */
  broadcast?: ChannelFactory | null;
  /** Longest wait for another tab's refresh lock before refreshing without it. Default 5 s. */
  lockTimeoutMs?: number;
  /** Refresh this long before the access token expires. Default 60 s. */
  refreshAheadMs?: number;
  /** Refresh in the background ahead of expiry (a timer per tab). Default true. */
  autoRefresh?: boolean;
  /** Load permissions (for `can()`) whenever the session changes. Default true. */
  permissions?: boolean;
}

export interface AccessTokenCookieOptions {
  /** Default `enforcer-access-token` (what `principalFromRequest` reads by default). */
  name?: string;
  /** Default `/`. */
  path?: string;
  /** Default: none (host-only). */
  domain?: string;
  /** Default `lax`: sent on top-level navigations from other sites too, which server rendering needs. */
  sameSite?: 'lax' | 'strict';
}

/** One check of `authorizeMany`: its action is one the app registered (see `Register`), or any string. */
export type TypedCheck = Omit<AuthorizeCheck, 'action'> & { action: Action };

export interface Enforcer {
  /** A typed client for every route of the contract; the bearer is attached and refreshed for you. */
  readonly api: EnforcerClient;
  getSnapshot(): SessionSnapshot;
  subscribe(listener: () => void): () => void;
  /** Resolves when the stored session has been read (the snapshot is no longer `loading`). */
  ready(): Promise<SessionSnapshot>;

  requestOtp(email: string, options?: { tenantCode?: string | null }): Promise<OtpRequestResponse>;
  /**
   * Signs in with an emailed code. Resolves to a result to switch on: `signed_in` with the session, or
   * `mfa_required` (the person has two-step verification on) with `verify(factor)` to finish. Failures
   * (a wrong code, a locked account, the network) still throw `EnforcerError`.
   */
  signInWithOtp(input: { email: string; otp: string; tenantCode?: string }): Promise<SignInResult>;
  /**
   * Any sign-in method `POST /auth/login` accepts (`provider` picks it), answered as a result to switch
   * on: `signed_in` with the session, `mfa_required` with `verify(factor)`, or `mfa_enrollment_required`
   * (the tenant requires a second factor the person has not set up) with `enroll()` and `confirm(code)`.
   * Failures still throw.
   */
  signIn(body: LoginBody): Promise<SignInResult>;
  /**
   * @deprecated Since 0.1; removed in 0.2. Use `signInWithOtp()`, which answers `mfa_required` as a result.
   * Resolves to the session; a person with two-step verification on makes it throw `mfa_required`.
   */
  loginWithOtp(input: { email: string; otp: string; tenantCode?: string }): Promise<SignedInSnapshot>;
  /**
   * @deprecated Since 0.1; removed in 0.2. Use `signIn()`, which answers `mfa_required` as a result.
   * Resolves to the session; a person with two-step verification on makes it throw `mfa_required`.
   */
  login(body: LoginBody): Promise<SignedInSnapshot>;
  register(input: { email: string; tenantCode?: string | null }): Promise<RegisterResponse>;
  /**
   * Social sign-in (the authorization code flow with PKCE, run by Enforcer): asks for the provider's
   * authorization URL (`POST /auth/oauth/{provider}/authorize`, with the S256 challenge of a fresh verifier
   * kept in `oauthVerifierStorage`) and sends the browser there. `redirectTo`
   * must be one of the tenant's OAuth redirect URLs exactly (else it throws `redirect_uri_not_allowed`
   * before any navigation); the page there calls `completeOAuthSignIn()`. `navigate` defaults to
   * `location.assign`.
   */
  signInWithOAuth(
    provider: string,
    options: { redirectTo: string; tenantCode?: string; navigate?: (url: string) => void },
  ): Promise<void>;
  /** The same for linking the provider to the signed-in person (`intent: "link"`); finish with `completeOAuthSignIn()`. */
  linkOAuth(
    provider: string,
    options: { redirectTo: string; navigate?: (url: string) => void },
  ): Promise<void>;
  /**
   * On the redirect page: reads `code` (or `error`) from the URL (default `location.href`), removes them
   * from the address bar (`history.replaceState`, or `replaceUrl`), and trades the code at
   * `POST /auth/oauth/exchange` with the verifier `signInWithOAuth` kept (the code is bound to it). Answers
   * null when the URL carries neither; a sign-in's result to switch on (`signed_in`, or `mfa_required` with
   * `verify(factor)`), or `linked` with the identity. An `error` from the flow, or a refused code, throws
   * `EnforcerError`; no verifier in this tab (the flow was started in another tab or browser) throws
   * `oauth_code_verifier_invalid` without spending the code.
   */
  completeOAuthSignIn(options?: {
    url?: string;
    replaceUrl?: (url: string) => void;
  }): Promise<SignInResult | OAuthLinked | null>;
  /** Ends this session (`everywhere`: every session of the person); every tab signs out. */
  logout(options?: { everywhere?: boolean }): Promise<void>;
  /** Creates a tenant (self-serve) with the caller as its owner, and switches to it. */
  createTenant(input: { name: string; adminEmail: string; otp?: string }): Promise<SignedInSnapshot>;
  acceptInvite(code: string): Promise<SignedInSnapshot>;
  readonly tenants: {
    list(): Promise<Membership[]>;
    switch(tenantId: string): Promise<SignedInSnapshot>;
    join(tenantCode: string): Promise<SignedInSnapshot>;
  };
  /** The signed-in person's sessions, in every tenant (`GET /auth/sessions`). */
  readonly sessions: {
    /** Every live session (all pages), oldest first; `current` marks this client's. */
    list(): Promise<ActiveSession[]>;
    /** Ends one of them (`DELETE /auth/sessions/{id}`); ending this client's own signs it out, every tab too. */
    end(sessionId: string): Promise<void>;
    /** Ends every session but this one (`DELETE /auth/sessions?except=current`): how many ended. */
    endOthers(): Promise<number>;
  };

  /** May the signed-in account do `action` (to `resource`)? Decided locally; false until loaded. */
  can(action: Action, resource?: Resource): boolean;
  /**
   * Asks the server (`POST /authorize/batch`): up to 100 checks for the signed-in account, answered in
   * order, each as `POST /authorize` answers it (`{ allowed, reason }`). For the decisions that should not
   * rest on this browser's copy of the policy, e.g. before confirming a payment. `can()` stays local.
   */
  authorizeMany(checks: readonly TypedCheck[]): Promise<AuthorizeResponse[]>;
  /** Fetches permissions and policy again (e.g. after being told the policy or groups changed). */
  reloadPermissions(): Promise<void>;
  /** The compiled policy and the subject, for `explain()` and `plan()`. */
  policy(): { compiled: CompiledPolicy; subject: PermissionsResponse['subject'] } | undefined;

  /** An access token good to send now (refreshed if needed), or null when signed out. */
  getAccessToken(): Promise<string | null>;
  /** Refreshes the token pair now (single-flight, coordinated across tabs). */
  refresh(): Promise<void>;
  /**
   * Changes the signed-in person's profile (`PATCH /auth/me`: display name, avatar URL, locale, time
   * zone; `null` clears a field, an absent one stays), then refreshes, so the snapshot's `person` (and
   * every tab's) shows the change. Resolves to the person as the server now has it.
   */
  updateProfile(changes: UpdateProfileBody): Promise<MeResponse['person']>;
  /**
   * Changes the signed-in account's `user_metadata` (`PATCH /auth/me/metadata`: each top-level key given
   * replaces the stored one, `null` removes it). Resolves to the account's public and user metadata as the
   * server now has them. No refresh: user metadata never reaches a token or a decision.
   */
  updateMetadata(
    userMetadata: UpdateUserMetadataBody['user_metadata'],
  ): Promise<Pick<MeResponse['account'], 'public_metadata' | 'user_metadata'>>;
  /** Passkey flows, loaded on first use. */
  passkeys(): Promise<PasskeyFlows>;
  /**
   * Finishes an `mfa_required` sign-in with its token (`result.mfaToken`, or on the deprecated calls
   * `error.problem.mfa_token`); the factor is `{ code }` (TOTP) or `{ recovery_code }`. The result's
   * own `verify(factor)` does the same.
   */
  verifyMfa(mfaToken: string, factor: SecondFactor): Promise<SignedInSnapshot>;
  /**
   * Starts the TOTP enrolment a tenant requires at sign-in (`POST /auth/mfa/enroll`) with the token of an
   * `mfa_enrollment_required` result: the secret, its `otpauth://` URI and a QR code, shown once. Calling it
   * again replaces the pending secret. The result's own `enroll()` does the same.
   */
  enrollMfaAtSignIn(mfaToken: string): Promise<TotpEnrollment>;
  /**
   * Confirms that enrolment with the first code of the authenticator app (`POST /auth/mfa/enroll/confirm`):
   * two-step verification is on and the sign-in finishes. Resolves to the session and the ten recovery
   * codes, shown this once. The result's own `confirm(code)` does the same.
   */
  confirmMfaEnrollmentAtSignIn(mfaToken: string, code: string): Promise<MfaEnrolledSignInResult>;
  /**
   * Step-up: proves the second factor again (`POST /auth/mfa/step-up`), then refreshes, so the stored
   * access token carries the new `mfa_at` that policies asking for a recent MFA read.
   */
  stepUp(factor: SecondFactor): Promise<StepUpResponse>;
  /** What plug-in flows use. */
  readonly flow: FlowContext;
  /** Stops timers, listeners and the tab channel. */
  destroy(): void;
}

/** Sends the browser to `url` (the default of `signInWithOAuth`'s `navigate`). */
const browserNavigate = (url: string) => globalThis.location.assign(url);
/** Replaces the address bar's URL without a new history entry (the default of `completeOAuthSignIn`'s `replaceUrl`). */
const browserReplaceUrl = (url: string) =>
  globalThis.history?.replaceState(globalThis.history.state, '', url);

/** `completeOAuthSignIn()` after a link: the identity now bound to the signed-in person. */
export interface OAuthLinked {
  status: 'linked';
  identity: OAuthLinkResult['identity'];
  /** False when the identity was already this person's. */
  created: boolean;
}

/** A second factor that can finish an `mfa_required` sign-in (the server's list may grow). */
export type MfaMethod = 'totp' | 'recovery_code' | (string & {});

/** A sign-in that opened a session. */
export interface SignedInResult {
  status: 'signed_in';
  session: SignedInSnapshot;
}

/**
 * A sign-in whose first factor was right, for a person with two-step verification on: no session yet.
 * Finish it with `verify({ code })` or `verify({ recovery_code })` (or `enforcer.verifyMfa(mfaToken, …)`)
 * before `expiresAt`; a wrong code throws `invalid_mfa_code` and the result stays usable (5 tries).
 */
export interface MfaRequiredResult {
  status: 'mfa_required';
  /** The challenge's single-use token (`emt_…`), for `POST /auth/mfa/verify`. */
  mfaToken: string;
  /** When the token expires, in ms since the epoch (5 minutes after the sign-in). */
  expiresAt: number;
  /** The factors that can finish it: `totp`, `recovery_code`. */
  methods: MfaMethod[];
  verify(factor: SecondFactor): Promise<SignedInSnapshot>;
}

/**
 * A sign-in whose first factor was right, in a tenant that requires a second factor (`require_mfa`) the
 * person has not set up yet: no session until they enrol. Show `enroll()`'s QR code (or secret), then
 * `confirm(code)` with the first code of their authenticator app, before `expiresAt`. A wrong code throws
 * `invalid_mfa_code` and the result stays usable (5 tries).
 */
export interface MfaEnrollmentRequiredResult {
  status: 'mfa_enrollment_required';
  /** The sign-in's single-use token (`emt_…`), for `POST /auth/mfa/enroll` and its confirmation. */
  mfaToken: string;
  /** When the token expires, in ms since the epoch (5 minutes after the sign-in). */
  expiresAt: number;
  /** The factors that can be enrolled: `totp`. */
  methods: MfaMethod[];
  /** A new TOTP secret, its `otpauth://` URI and QR code (again: a new secret replaces the pending one). */
  enroll(): Promise<TotpEnrollment>;
  /** The first code from the authenticator app: MFA is on, the person is signed in, recovery codes shown once. */
  confirm(code: string): Promise<MfaEnrolledSignInResult>;
}

/** A finished enrolment at sign-in: the session, and the ten recovery codes (shown this once: keep them). */
export interface MfaEnrolledSignInResult {
  session: SignedInSnapshot;
  recoveryCodes: string[];
}

/**
 * What a sign-in answers: switch on `status`. Further outcomes may be added (handle the unknown with a
 * default branch); failures are never results, they throw `EnforcerError`.
 */
export type SignInResult = SignedInResult | MfaRequiredResult | MfaEnrollmentRequiredResult;

/** Error codes of a 401 that a fresh access token may cure. */
const TOKEN_PROBLEMS = new Set(['token_expired', 'token_invalid', 'unauthenticated']);

/**
 * The cookie mode's header, typed as the contract's constant (a literal type: a different value does not
 * compile) without importing the contract at run time, which would bring zod into browser bundles.
 */
const REFRESH_COOKIE_HEADER: typeof import('@enforcer/contract').REFRESH_COOKIE_HEADER =
  'enforcer-refresh-cookie';

const REFRESH_PATH = '/auth/refresh';

/**
 * Writes (or removes) the access-token cookie for server rendering; a no-op without the option or outside a
 * browser (no `document`).
 */
function accessTokenMirror(
  option: boolean | AccessTokenCookieOptions | undefined,
  clock: Clock,
): (session: StoredSession | null) => void {
  if (!option) return () => {};
  const settings = option === true ? {} : option;
  const name = settings.name ?? 'enforcer-access-token';
  return (session) => {
    const doc = (globalThis as { document?: { cookie: string } }).document;
    if (!doc) return;
    const secure = (globalThis as { location?: { protocol?: string } }).location?.protocol === 'https:';
    const seconds = session ? Math.max(0, Math.floor((session.expires - clock.now()) / 1000)) : 0;
    doc.cookie = [
      `${name}=${session ? encodeURIComponent(session.token) : ''}`,
      `Path=${settings.path ?? '/'}`,
      ...(settings.domain ? [`Domain=${settings.domain}`] : []),
      `Max-Age=${seconds}`,
      `SameSite=${settings.sameSite === 'strict' ? 'Strict' : 'Lax'}`,
      ...(secure ? ['Secure'] : []),
    ].join('; ');
  };
}

/** A refresh or logout body: the token, or nothing (the cookie mode's cookie is the credential). */
const refreshBody = (refreshToken: string | undefined) =>
  refreshToken === undefined ? {} : { refresh_token: refreshToken };

const problemCode = (body: unknown): string | undefined =>
  typeof body === 'object' && body !== null ? (body as { code?: string }).code : undefined;

/**
 * Creates an Enforcer client. Nothing global is touched at import or here (no `window`),
 * so it is safe during server-side rendering; each instance has its own state.
 */
export function createEnforcer(options: EnforcerOptions): Enforcer {
  const clock = options.clock ?? systemClock;
  const storageKey = options.storageKey ?? 'enforcer.session';
  const doFetch: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  const oauthVerifier = oauthVerifierSlot(
    resolveStorage(options.oauthVerifierStorage ?? 'session'),
    `${storageKey}.oauth_verifier`,
  );
  /** A fresh verifier for a flow about to start, kept for its callback page; answers its challenge. */
  const bindOAuthFlow = async () => {
    const { verifier, challenge } = await newOAuthVerifier();
    await oauthVerifier.keep(verifier);
    return challenge;
  };

  const cookieMode = options.tokenStorage === 'cookie';
  // The cookie mode: every answer may set (or clear) the refresh cookie, and refresh and logout send it.
  const shape = (request: ClientRequest): ClientRequest =>
    cookieMode
      ? {
          ...request,
          headers: { ...request.headers, [REFRESH_COOKIE_HEADER]: '1' },
          fetchOptions: { ...request.fetchOptions, credentials: 'include' },
        }
      : request;
  const send = async (request: ClientRequest): Promise<ClientResponse> => {
    // The cookie mode's restore (a refresh while loading) goes first: a sign-in answered before it would
    // have its cookie overwritten by the restored session's.
    if (cookieMode && !request.url.endsWith(REFRESH_PATH)) await sessions.ready();
    try {
      return await sendRequest(doFetch, shape(request));
    } catch (error) {
      throw new EnforcerError('network_error', 'Enforcer could not be reached', { cause: error });
    }
  };
  const publicApi = createClient(options.baseUrl, send);

  let snapshot: SessionSnapshot = loadingSnapshot;
  const listeners = new Set<() => void>();
  const loadPermissions = options.permissions ?? true;

  const update = () => {
    const session = sessions.current();
    const next = !sessions.loaded ? loadingSnapshot : session ? signedIn(session) : signedOutSnapshot;
    if (next === snapshot) return;
    snapshot = next;
    for (const listener of [...listeners]) listener();
  };

  const signedIn = (session: StoredSession): SignedInSnapshot => {
    const claims = decodeClaims(session.token);
    const state = permissions.state;
    const subject = state.status === 'ready' ? state.subject : undefined;
    const previous = snapshot.status === 'signed_in' ? snapshot : undefined;
    const next: SignedInSnapshot = {
      status: 'signed_in',
      account: session.account,
      person: session.person,
      tenant: session.tenant,
      // A session stored by an SDK before `roles` has only `role`.
      roles: subject?.roles ?? claims?.roles ?? session.account.roles ?? [session.account.role],
      groups: subject?.groups ?? claims?.groups ?? session.account.groups,
      sessionId: session.sid,
      amr: claims?.amr ?? [],
      actor: subject?.actor ?? claims?.act?.sub ?? null,
      expiresAt: session.expires,
      permissions: state,
    };
    // Same content, same object: useSyncExternalStore re-renders only on real changes.
    if (previous && sameSnapshot(previous, next)) return previous;
    return next;
  };

  const authedFetch = async (request: ClientRequest): Promise<ClientResponse> => {
    if (request.auth === 'none' || request.headers.authorization) return send(request);
    const session = await sessions.valid();
    if (!session) return send(request);
    const withBearer = (token: string): ClientRequest => ({
      ...request,
      headers: { ...request.headers, authorization: `Bearer ${token}` },
    });
    const first = await send(withBearer(session.token));
    if (first.status !== 401 || !TOKEN_PROBLEMS.has(problemCode(first.body) ?? '')) return first;
    // Rejected: refresh once (joined with any refresh already running) and retry once.
    const next = await sessions.refresh(session.token);
    if (!next) return first;
    return send(withBearer(next.token));
  };
  const api = createClient(options.baseUrl, authedFetch);

  const permissions = new Permissions(() => unwrap(api.auth.permissions()), update);

  const mirror = accessTokenMirror(options.accessTokenCookie, clock);
  const onSessionChange = (session: StoredSession | null, change: SessionChange) => {
    mirror(session);
    permissions.reset(session?.account.id);
    update();
    if (session && loadPermissions && change !== 'sign_out') void permissions.reload();
  };

  const sessions: SessionManager = new SessionManager({
    storage: resolveStorage(options.storage),
    storageKey,
    clock,
    locks: options.locks === undefined ? platformLocks() : options.locks,
    channel:
      (options.broadcast === undefined ? platformChannel : options.broadcast)?.(`enforcer:${storageKey}`) ??
      null,
    lockTimeoutMs: options.lockTimeoutMs ?? 5000,
    refreshAheadMs: options.refreshAheadMs ?? 60_000,
    expiryMarginMs: 5000,
    autoRefresh: options.autoRefresh ?? true,
    refreshCall: (refreshToken) => publicApi.auth.refresh({ body: refreshBody(refreshToken) }),
    logoutCall: (refreshToken) => publicApi.auth.logout({ body: refreshBody(refreshToken) }),
    restoreFromCookie: cookieMode,
    onChange: onSessionChange,
  });
  if (sessions.loaded) {
    const initial = sessions.current();
    mirror(initial);
    permissions.reset(initial?.account.id);
    update();
    if (initial && loadPermissions) void permissions.reload();
  }

  const requireSignedIn = (): SignedInSnapshot => {
    if (snapshot.status !== 'signed_in') throw new EnforcerError('not_signed_in', 'Sign in first');
    return snapshot;
  };

  const signIn = async (response: TokenResponse, replaces?: StoredSession | null) => {
    await sessions.signIn(response, replaces);
    return requireSignedIn();
  };

  /** A sign-in that replaces the current session (switch, join, invite): the old one is ended. */
  const switchTo = async (response: TokenResponse) => {
    const previous = sessions.current();
    const result = await signIn(response, previous);
    if (previous && previous.sid !== sessions.current()?.sid) {
      // In the cookie mode the cookie already holds the new session's token: the old one ends at its expiry.
      if (previous.refresh_token !== undefined) {
        publicApi.auth.logout({ body: { refresh_token: previous.refresh_token } }).catch(() => {});
      }
    }
    return result;
  };

  const tenantCodeOf = (code: string | null | undefined) =>
    code === null ? undefined : (code ?? options.tenantCode);

  const otpLoginBody = (input: { email: string; otp: string; tenantCode?: string }): LoginBody => {
    const tenant_code = input.tenantCode ?? options.tenantCode;
    if (!tenant_code) throw new EnforcerError('bad_request', 'A tenant code is needed to sign in');
    return { provider: 'email_otp', email: input.email, otp: input.otp, tenant_code };
  };

  const flow: FlowContext = {
    api,
    publicApi,
    signIn: (response) => signIn(response),
    tenantCode: options.tenantCode,
  };

  /** A sign-in held for a second factor (`mfa_required`) or its enrolment (`mfa_enrollment_required`), as a result. */
  const heldSignInOf = (error: unknown): MfaRequiredResult | MfaEnrollmentRequiredResult | undefined => {
    const challenge = mfaChallengeOf(error, clock);
    if (challenge) {
      return {
        status: 'mfa_required',
        ...challenge,
        verify: (factor) => enforcer.verifyMfa(challenge.mfaToken, factor),
      };
    }
    const enrolment = mfaChallengeOf(error, clock, 'mfa_enrollment_required');
    if (!enrolment) return undefined;
    return {
      status: 'mfa_enrollment_required',
      ...enrolment,
      enroll: () => enforcer.enrollMfaAtSignIn(enrolment.mfaToken),
      confirm: (code) => enforcer.confirmMfaEnrollmentAtSignIn(enrolment.mfaToken, code),
    };
  };

  const enforcer: Enforcer = {
    api,
    flow,
    getSnapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async ready() {
      await sessions.ready();
      return snapshot;
    },

    requestOtp: (email, opts) => {
      const tenant_code = tenantCodeOf(opts?.tenantCode);
      return unwrap(publicApi.auth.requestOtp({ body: { email, ...(tenant_code ? { tenant_code } : {}) } }));
    },
    signInWithOtp: async (input) => enforcer.signIn(otpLoginBody(input)),
    async signIn(body) {
      let response: TokenResponse;
      try {
        response = await unwrap(publicApi.auth.login({ body }));
      } catch (error) {
        const held = heldSignInOf(error);
        if (!held) throw error;
        return held;
      }
      return { status: 'signed_in', session: await signIn(response) };
    },
    loginWithOtp: async (input) => enforcer.login(otpLoginBody(input)),
    login: async (body) => signIn(await unwrap(publicApi.auth.login({ body }))),
    register: ({ email, tenantCode }) => {
      const tenant_code = tenantCodeOf(tenantCode);
      return unwrap(
        publicApi.auth.register({
          body: { provider: 'email_otp', email, ...(tenant_code ? { tenant_code } : {}) },
        }),
      );
    },
    async logout({ everywhere = false } = {}) {
      await sessions.ready();
      const session = sessions.current();
      if (!session) return;
      try {
        if (everywhere) await api.auth.logout({ body: { all_sessions: true } });
        else await publicApi.auth.logout({ body: refreshBody(session.refresh_token) });
      } catch {
        // Offline: the session is still forgotten here; the server ends it at its expiry.
      }
      await sessions.signOut({ broadcast: true, everywhere });
    },
    async signInWithOAuth(provider, { redirectTo, tenantCode, navigate }) {
      const tenant_code = tenantCode ?? options.tenantCode;
      if (!tenant_code) throw new EnforcerError('bad_request', 'A tenant code is needed to sign in');
      const code_challenge = await bindOAuthFlow();
      const { authorization_url } = await unwrap(
        publicApi.oauthSignIn.authorizeUrl({
          params: { provider },
          body: { tenant_code, redirect_uri: redirectTo, intent: 'sign_in', code_challenge },
        }),
      );
      (navigate ?? browserNavigate)(authorization_url);
    },
    async linkOAuth(provider, { redirectTo, navigate }) {
      const { tenant } = requireSignedIn();
      const code_challenge = await bindOAuthFlow();
      const { authorization_url } = await unwrap(
        api.oauthSignIn.authorizeUrl({
          params: { provider },
          body: { tenant_code: tenant.code, redirect_uri: redirectTo, intent: 'link', code_challenge },
        }),
      );
      (navigate ?? browserNavigate)(authorization_url);
    },
    async completeOAuthSignIn({ url, replaceUrl } = {}) {
      const current = new URL(url ?? globalThis.location.href);
      const code = current.searchParams.get('code');
      const failure = current.searchParams.get('error');
      if (!code && !failure) return null;
      // The code works once: it leaves the address bar (and the history) before it is spent.
      const cleaned = new URL(current.href);
      for (const name of ['code', 'error', 'error_description']) cleaned.searchParams.delete(name);
      (replaceUrl ?? browserReplaceUrl)(cleaned.href);
      // The verifier serves this one flow, whatever its outcome.
      const code_verifier = await oauthVerifier.take();
      if (failure) {
        // The callback answers a contract error code; anything else (a hand-edited URL) reads as a refused provider.
        const known = (errorCodes as readonly string[]).includes(failure);
        throw new EnforcerError(
          known ? (failure as ErrorCode) : 'provider_token_invalid',
          current.searchParams.get('error_description') ?? 'Social sign-in did not complete',
        );
      }
      if (!code_verifier) {
        throw new EnforcerError(
          'oauth_code_verifier_invalid',
          'This sign-in was started in another tab or browser (no code verifier here): start it again',
        );
      }
      await sessions.ready();
      const signedIn = sessions.current() !== null;
      let answer: TokenResponse | OAuthLinkResult;
      try {
        // A link needs the person's token; a sign-in ignores it.
        answer = await unwrap(
          (signedIn ? api : publicApi).oauthSignIn.exchange({ body: { code: code!, code_verifier } }),
        );
      } catch (error) {
        const held = heldSignInOf(error);
        if (!held) throw error;
        return held;
      }
      if ('intent' in answer) return { status: 'linked', identity: answer.identity, created: answer.created };
      return { status: 'signed_in', session: await (signedIn ? switchTo : signIn)(answer) };
    },
    createTenant: async ({ name, adminEmail, otp }) =>
      switchTo(
        await unwrap(
          api.tenants.selfServe({ body: { name, admin_email: adminEmail, ...(otp ? { otp } : {}) } }),
        ),
      ),
    acceptInvite: async (code) => switchTo(await unwrap(api.auth.acceptInvite({ body: { code } }))),
    tenants: {
      async list() {
        const all: Membership[] = [];
        let cursor: string | undefined;
        do {
          const page = await unwrap(
            api.auth.tenants({ query: { limit: 100, ...(cursor ? { cursor } : {}) } }),
          );
          all.push(...page.data);
          cursor = page.pagination.has_more ? (page.pagination.next_cursor ?? undefined) : undefined;
        } while (cursor);
        return all;
      },
      switch: async (tenantId) =>
        switchTo(await unwrap(api.auth.switchTenant({ body: { tenant_id: tenantId } }))),
      join: async (tenantCode) =>
        switchTo(await unwrap(api.auth.joinTenant({ body: { tenant_code: tenantCode } }))),
    },

    sessions: {
      async list() {
        const all: ActiveSession[] = [];
        let cursor: string | undefined;
        do {
          const page = await unwrap(
            api.auth.sessions({ query: { limit: 100, ...(cursor ? { cursor } : {}) } }),
          );
          all.push(...page.data);
          cursor = page.pagination.has_more ? (page.pagination.next_cursor ?? undefined) : undefined;
        } while (cursor);
        return all;
      },
      async end(sessionId) {
        await unwrap(api.auth.endSession({ params: { id: sessionId } }));
        // This client's own session ended: nothing to refresh any more, so sign out here (and in every tab).
        if (sessions.current()?.sid === sessionId) await sessions.signOut({ broadcast: true });
      },
      endOthers: async () =>
        (await unwrap(api.auth.endOtherSessions({ query: { except: 'current' } }))).sessions_ended,
    },

    can: (action, resource) => permissions.can(action, resource),
    authorizeMany: async (checks) =>
      (await unwrap(api.policy.batch({ body: { checks: [...checks] } }))).results,
    reloadPermissions: async () => {
      await sessions.ready();
      if (sessions.current()) await permissions.reload();
    },
    policy: () => permissions.policy(),

    async getAccessToken() {
      return (await sessions.valid())?.token ?? null;
    },
    async refresh() {
      await sessions.ready();
      const current = sessions.current();
      if (current) await sessions.refresh(current.token);
    },
    async updateProfile(changes) {
      const { person } = await unwrap(api.auth.updateMe({ body: changes }));
      await enforcer.refresh();
      return person;
    },
    async updateMetadata(userMetadata) {
      const { account } = await unwrap(api.auth.updateMyMetadata({ body: { user_metadata: userMetadata } }));
      return { public_metadata: account.public_metadata, user_metadata: account.user_metadata };
    },
    passkeys: async () => (await import('./flows/passkeys')).createPasskeyFlows(flow),
    verifyMfa: async (mfaToken, factor) =>
      signIn(await unwrap(publicApi.mfa.verify({ body: { mfa_token: mfaToken, ...factor } }))),
    enrollMfaAtSignIn: (mfaToken) => unwrap(publicApi.mfa.enrollAtSignIn({ body: { mfa_token: mfaToken } })),
    async confirmMfaEnrollmentAtSignIn(mfaToken, code) {
      const answer = await unwrap(
        publicApi.mfa.confirmEnrollmentAtSignIn({ body: { mfa_token: mfaToken, code } }),
      );
      const { recovery_codes, ...tokens } = answer;
      return { session: await signIn(tokens), recoveryCodes: recovery_codes };
    },
    async stepUp(factor) {
      const answer = await unwrap(api.mfa.stepUp({ body: factor }));
      await enforcer.refresh();
      return answer;
    },
    destroy: () => sessions.destroy(),
  };
  return enforcer;
}

/** The challenge of an `mfa_required` (or `mfa_enrollment_required`) refusal; undefined for any other error. */
function mfaChallengeOf(
  error: unknown,
  clock: Clock,
  code: 'mfa_required' | 'mfa_enrollment_required' = 'mfa_required',
): Omit<MfaRequiredResult, 'status' | 'verify'> | undefined {
  if (!isEnforcerError(error, code) || !error.problem?.mfa_token) return undefined;
  const { mfa_token, mfa_token_expires_at, mfa_methods } = error.problem;
  return {
    mfaToken: mfa_token,
    // The server always sends the expiry; its documented 5 minutes otherwise.
    expiresAt: mfa_token_expires_at ? Date.parse(mfa_token_expires_at) : clock.now() + 300_000,
    methods: mfa_methods ?? (code === 'mfa_required' ? ['totp', 'recovery_code'] : ['totp']),
  };
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((value, i) => value === b[i]);

function sameSnapshot(a: SignedInSnapshot, b: SignedInSnapshot): boolean {
  return (
    a.account === b.account &&
    a.person === b.person &&
    a.tenant === b.tenant &&
    a.sessionId === b.sessionId &&
    a.actor === b.actor &&
    a.expiresAt === b.expiresAt &&
    a.permissions === b.permissions &&
    sameList(a.roles, b.roles) &&
    sameList(a.groups, b.groups) &&
    sameList(a.amr, b.amr)
  );
}
