import {
  type Account,
  type AuthProvider,
  basePath,
  type contract,
  type Group,
  type Invite,
  type Jwk,
  type Tenant,
  type TokenResponse,
  type WebhookEvent,
  webhookEventSchema,
} from '@enforcer/contract';
import { type PolicyDocument, validatePolicy } from '@enforcer/contract/policy';
import {
  type AuthDeps,
  AuthorizeCallCounter,
  acceptsSession,
  accountDto,
  accountsHandlers,
  apiKeyRecord,
  apiKeysHandlers,
  applicationsHandlers,
  auditHandlers,
  authRouteHandlers,
  decideKycSessionById,
  deleteDueTenants,
  discoveryHandlers,
  feedRetentionSeconds,
  forgetUnprovenCredentials,
  generateInviteCode,
  groupDto,
  groupsHandlers,
  type Handlers,
  hashInviteCode,
  healthHandlers,
  INVITE_TTL_SECONDS,
  impersonationHandlers,
  kycHandlers,
  magicLinkHandlers,
  messagingHandlers,
  mfaHandlers,
  newApiKey,
  oauth4webapiClient,
  oauthHandlers,
  type PlatformKeyEntry,
  passwordHandlers,
  platformHandlers,
  policyHandlers,
  privacyHandlers,
  processDueDeletions,
  revocationsHandlers,
  rolesHandlers,
  secondFactorGate,
  socialSignInHandlers,
  TOTP_PERIOD_SECONDS,
  tenantsHandlers,
  tenantView,
  totpCode,
  webCryptoHashing,
  webCryptoRandom,
  webCryptoSealer,
  webhooksHandlers,
} from '@enforcer/core';
import {
  accountOfPerson,
  accountProfileOf,
  groupNamed,
  type MemoryTenantRow,
  personByEmail,
  seedAccount,
  seedGrant,
  seedGroup,
  seedMembership,
  seedPolicy,
  seedTenant,
  tenantRecord,
} from '@enforcer/core/memory';
import type { JSONWebKeySet } from 'jose';
import { type HttpHandler, http } from 'msw';
import type { AccessTokenClaims } from '../session/claims';
import { type Clock, systemClock } from '../shared/clock';
import { createDispatcher, type MockRequestRecord } from './dispatch';
import { mockRegistrationMethods, mockSignInMethods } from './methods/authenticate';
import { type GoogleIdTokenClaims, MockGoogle } from './methods/google';
import { identityDeps } from './methods/identities';
import { captureOtp, issueOtp } from './methods/otp';
import { passwordHasher } from './methods/sign-in';
import { mockMfaDeps } from './mfa';
import { createMockOAuthProvider, type MockOAuthProvider } from './oauth-provider';
import { createMockApple, MOCK_APPLE_ORIGIN, type MockAppleProvider } from './providers/apple';
import { followOAuthRedirects } from './providers/follow-redirects';
import { createMockGitHub, MOCK_GITHUB_ENDPOINTS, type MockGitHubProvider } from './providers/github';
import { createMockMicrosoft, MOCK_MICROSOFT_LOGIN, type MockMicrosoftProvider } from './providers/microsoft';
import { MockStore } from './store';
import { MockTokens, type TokenSettings } from './tokens';

export interface EnforcerMockOptions {
  /** The origin the mock answers on, as given to `createEnforcer({ baseUrl })`. Default `http://enforcer.test`. */
  baseUrl?: string;
  /** Default: the real clock. Share a `manualClock()` with the SDK to move time in tests. */
  clock?: Clock;
  /** Return OTP codes in `POST /auth/otp/request` answers, as the server in development. Default true. */
  devMode?: boolean;
  /** Token lifetimes and windows, in seconds (server defaults: 900, 14 d, 30 d, 10, 10). */
  tokens?: Partial<Omit<TokenSettings, 'issuer' | 'audience'>> & { issuer?: string; audience?: string };
  /** Check every answer against the contract's response schemas (a mismatch is a 500). Default true. */
  validateResponses?: boolean;
  /** `POST /tenants/self-serve` open to anyone, as the server's default (`ENFORCER_SELF_SERVE`). Default true. */
  selfServe?: boolean;
  /**
   * The deployment operator's platform API keys, as the server's `ENFORCER_PLATFORM_API_KEYS` lists them
   * (name, SHA-256 hex of the key, scopes). Default none: `/platform/*` answers 401.
   */
  platformKeys?: PlatformKeyEntry[];
  /** Seconds a tenant stays `pending_deletion` after `DELETE /platform/tenants/{id}` (server default 30 days). */
  tenantDeletionGrace?: number;
  /** Google sign-in: verify ID tokens against this key set (default: a key of the mock, see `mock.google`). */
  google?: { jwks?: JSONWebKeySet };
  /**
   * The refresh-token cookie mode (`tokenStorage: 'cookie'`): the origin of the page under test, trusted as
   * `ENFORCER_CORS_ORIGINS` trusts one, and sent as `Origin` for a request that has none (Node's fetch sends
   * none; a browser always does). Default: `location.origin` in a browser, else `http://localhost`.
   */
  pageOrigin?: string;
}

type TenantRef = string | { id: string };

export interface SeedTenantInput {
  name?: string;
  /** Fixed code (`ACME-0000-TEST`); default: a random one. */
  code?: string;
  allowSignup?: boolean;
  authProviders?: AuthProvider[];
  policy?: PolicyDocument;
  logoUrl?: string | null;
  theme?: Record<string, string>;
}

export interface SeedAccountInput {
  tenant: TenantRef;
  email: string;
  role?: string;
  /** Group names; groups missing from the tenant are created. */
  groups?: string[];
  active?: boolean;
}

/** A stateful, in-memory Enforcer behind MSW handlers, with helpers to seed and inspect it. */
export interface EnforcerMock {
  /** `setupServer(...mock.handlers)` / `setupWorker(...mock.handlers)`. */
  readonly handlers: HttpHandler[];
  readonly baseUrl: string;
  readonly issuer: string;
  readonly clock: Clock;
  /**
   * A fake OpenID Provider the mock serves (discovery, JWKS, a sign-in page that approves at once, a token
   * endpoint), for an app's social sign-in tests: set it as a tenant's `oidc` provider with
   * `PUT /tenants/{id}/oauth` (issuer, client id and secret below) and choose who signs in next.
   */
  readonly oauthProvider: MockOAuthProvider;
  /**
   * A GitHub stand-in (authorize, token, `/user`, `/user/emails`): set it as a tenant's `github` provider
   * (`client_id`, `client_secret` below). The mock's core reaches it instead of github.com; identities are
   * `https://github.com|<id>` as on the server.
   */
  readonly githubProvider: MockGitHubProvider;
  /**
   * A Sign in with Apple stand-in (authorize with a form post back, token checking the client secret JWT,
   * keys): set it as a tenant's `apple` provider (`client_id`, `apple_team_id`, `apple_key_id`, and
   * `apple_private_key: await mock.appleProvider.privateKeyPem()`).
   */
  readonly appleProvider: MockAppleProvider;
  /**
   * A Microsoft identity platform stand-in for every sign-in audience: set it as a tenant's `microsoft`
   * provider (`client_id`, `client_secret`, any `microsoft_tenant`); its ID tokens carry the directory's real
   * issuer, `https://login.microsoftonline.com/<tid>/v2.0`, checked by the core against their `tid`.
   */
  readonly microsoftProvider: MockMicrosoftProvider;
  /**
   * Follows a social sign-in from the provider's authorization URL (what `signInWithOAuth` navigates to) as
   * a browser would: the fake provider's page, its redirect or form post, Enforcer's callback; answers the
   * app URL it lands on, with `?code=` (or `?error=`) for `completeOAuthSignIn({ url })`.
   */
  followOAuthRedirects(authorizationUrl: string): Promise<string>;
  /** Every request answered, in order (route is the contract key, `auth.refresh`). */
  readonly requests: MockRequestRecord[];
  /** How many requests reached `route` (`'auth.refresh'`). */
  count(route: string): number;
  /** The last one-time code issued for `email` (optionally for one tenant; `null`: self-serve codes). */
  lastOtp(email: string, tenant?: TenantRef | null): string | undefined;
  /**
   * The TOTP code an authenticator app would show now (on the mock's clock) for a `secret` of
   * `POST /auth/mfa/totp/enroll`. A code is accepted once: advance the clock 30 s before the next one.
   */
  totpCode(secret: string): Promise<string>;
  readonly seed: {
    tenant(input?: SeedTenantInput): Tenant;
    account(input: SeedAccountInput): Account;
    group(input: { tenant: TenantRef; name: string; permissions?: string[]; description?: string }): Group;
    addToGroup(input: { account: string; group: string }): void;
    removeFromGroup(input: { account: string; group: string }): void;
    setRole(input: { account: string; role: string }): void;
    setActive(input: { account: string; active: boolean }): void;
    policy(tenant: TenantRef, document: PolicyDocument): void;
    apiKey(input: { tenant: TenantRef; role?: string; name?: string }): { id: string; key: string };
    invite(input: { tenant: TenantRef; email: string; role?: string }): Invite;
    /** A one-time code for `email`, as if requested (resolves to the code). */
    otp(email: string, tenant?: TenantRef | null): Promise<string>;
  };
  /** Signs an account in directly (no OTP): a real token pair, as `POST /auth/login` returns. */
  signIn(input: { tenant: TenantRef; email: string }): Promise<TokenResponse>;
  /** Verifies an access token as the server does (throws on an invalid or expired one). */
  verifyAccessToken(token: string): Promise<AccessTokenClaims>;
  jwks(): Promise<{ keys: Jwk[] }>;
  /** New signing key; the old one stays published. */
  rotateKeys(): Promise<void>;
  /** The Google the mock trusts: ID tokens for `POST /auth/login { provider: 'google' }` and linking. */
  readonly google: {
    /** The public key set ID tokens are verified against. */
    keys(): Promise<JSONWebKeySet>;
    /** An ID token signed by the mock's Google key: iss Google, iat now, exp in 1 h unless given. */
    signIdToken(claims: GoogleIdTokenClaims): Promise<string>;
  };
  /**
   * The webhook events the server would send for the tenant (its outbox, written by the core with the
   * change, oldest first), parsed: the mock delivers nothing, a test reads what would have gone out.
   */
  webhookEvents(tenant: TenantRef): WebhookEvent[];
  /**
   * The KYC provider's side, for tests: decide the account's latest verification session (`POST /kyc/sessions`)
   * as the provider would, through the same rules as its webhook (group, grant version, audit).
   */
  readonly kyc: {
    approve(account: string): Promise<void>;
    reject(account: string): Promise<void>;
    expire(account: string): Promise<void>;
  };
  /**
   * Runs the server's deletion jobs once, now, on the mock's clock (the mock has no timers; the server runs
   * them every few minutes), through the core as the server does: tenants past their deletion grace
   * (`DELETE /platform/tenants/{id}`) are deleted with every row of theirs (`deleteDueTenants`), persons
   * past their deletion request's grace period are erased (`processDueDeletions`). Move the clock past the
   * grace, then call it. Answers how many of each.
   */
  runDeletionJobs(): Promise<{ tenantsDeleted: number; personsErased: number }>;
  /** Forgets everything (tenants, accounts, sessions, requests); keeps the signing keys. */
  reset(): void;
}

/**
 * msw 3 needs Node.js 22.12 or later (it calls `Promise.withResolvers`); on an older Node every request
 * would fail later as an unreachable server. msw 2 (^2.15) runs on Node.js 20 and the mock supports it
 * too. Without `Promise.withResolvers`, read the installed msw's version, and refuse msw 3 (or an msw
 * whose version cannot be read) when the mock is made, saying why.
 */
function assertRuntimeSupported(): void {
  if (typeof (Promise as { withResolvers?: unknown }).withResolvers === 'function') return;
  const version = installedMswVersion();
  if (version !== undefined && Number(version.split('.')[0]) < 3) return;
  const node = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
  throw new Error(
    `[enforcer mock] msw ${version ?? '3'} needs Node.js 22.12 or later, or a current browser (it does not run on ${node ? `Node.js ${node}` : 'this runtime'}); on Node.js 20 install msw 2 instead (msw@^2.15.0), which @enforcer/sdk-js/msw supports too`,
  );
}

/** The version of the msw this module resolves, on Node (undefined elsewhere, or if unreadable). */
function installedMswVersion(): string | undefined {
  const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const nodeModule = process?.getBuiltinModule?.('node:module') as typeof import('node:module') | undefined;
  try {
    return (nodeModule?.createRequire(import.meta.url)('msw/package.json') as { version?: string })?.version;
  } catch {
    return undefined;
  }
}

/**
 * Creates the mock. It implements every route of the contract with the server's rules:
 * requests validated by the contract's zod schemas (problem answers with the server's
 * codes), real ES256 access tokens in the server's format (`@enforcer/node-verifier` and
 * jose accept them against the served JWKS), refresh rotation with reuse detection and the
 * grace window, and authorization by the same policy engine.
 */
export function createEnforcerMock(options: EnforcerMockOptions = {}): EnforcerMock {
  assertRuntimeSupported();
  const baseUrl = (options.baseUrl ?? 'http://enforcer.test').replace(/\/$/, '');
  const origin = new URL(baseUrl).origin;
  const pageOrigin =
    options.pageOrigin ??
    (globalThis as { location?: { origin?: string } }).location?.origin ??
    'http://localhost';
  const clock = options.clock ?? systemClock;
  const issuer = options.tokens?.issuer ?? `${baseUrl}${basePath}`;
  const store = new MockStore(clock);
  // Webhook secrets sealed under a key of this mock's own (never recovered: the mock sends nothing).
  const webhookSealer = webCryptoSealer();
  const tokens = new MockTokens(store, {
    issuer,
    audience: options.tokens?.audience ?? 'enforcer',
    accessTtl: options.tokens?.accessTtl ?? 900,
    refreshIdleTtl: options.tokens?.refreshIdleTtl ?? 14 * 86_400,
    refreshAbsoluteTtl: options.tokens?.refreshAbsoluteTtl ?? 30 * 86_400,
    refreshGrace: options.tokens?.refreshGrace ?? 10,
    clockTolerance: options.tokens?.clockTolerance ?? 10,
  });
  const requests: MockRequestRecord[] = [];
  const google = new MockGoogle(store, options.google?.jwks);
  const identities = identityDeps(store, tokens, google);
  const devMode = options.devMode ?? true;
  const methods = mockSignInMethods(store, identities);
  // One sealer for the tenants' social sign-in secrets, whichever route sets them (it has a key of its own).
  const oauthSecrets = { sealer: webCryptoSealer() };
  const tenants = tenantsHandlers(store.db, {
    oauthSecrets,
    allowSelfServe: options.selfServe ?? true,
    clock: { now: () => new Date(clock.now()) },
    random: webCryptoRandom,
    acceptsSession: (authProviders, amr) => acceptsSession(methods, authProviders, amr),
    // The mock sends no mail: an invite's code is in the answer, as on every server.
    mail: { send: async () => undefined },
    otp: store.otp,
    sessions: tokens.sessions,
  });
  // Signing in and the session routes are the core's handlers over `store.db`, as on the server.
  const authDeps: AuthDeps = {
    uow: store.db,
    clock: store.db,
    throttle: store.throttle,
    methods,
    sessions: tokens.sessions,
    onEmailFirstProven: (repos, personId) => forgetUnprovenCredentials(repos, store.db, personId),
    secondFactor: secondFactorGate({ clock: store.db, random: webCryptoRandom }),
    registrations: mockRegistrationMethods(store),
    // Nothing is delivered: codes are captured (`mock.lastOtp`) and, in dev mode, in the answer.
    codes: {
      otp: store.otp,
      exposeCodes: devMode,
      deliver: async () => undefined,
      onIssued: (scope, issued) => captureOtp(store, scope, issued),
    },
    refreshCookie: { maxAgeSeconds: tokens.settings.refreshAbsoluteTtl, trustedOrigins: [pageOrigin] },
  };
  // Every route is the core's handler, as on the server (which registers the same ones with Fastify).
  // Authorize calls for the platform usage figures (#15), written when the figures are read.
  const authorizeCalls = new AuthorizeCallCounter(store.db);
  const routes: Handlers<typeof contract> = {
    tenants,
    // All of contract.auth is the core's, listed once (authRouteHandlers), as on the server.
    auth: authRouteHandlers(store.db, {
      auth: authDeps,
      passkeys: store.passkeyDeps,
      identities,
    }),
    // The mock sends no mail: reset codes are captured (`mock.lastOtp`) and, in dev mode, in the answer.
    password: passwordHandlers(store.db, {
      clock: store.db,
      hasher: passwordHasher,
      throttle: store.throttle,
      otp: store.otp,
      mail: { send: async () => undefined },
      exposeCodes: devMode,
      onIssued: (scope, issued) => captureOtp(store, scope, issued),
    }),
    mfa: mfaHandlers(mockMfaDeps(store, tokens)),
    // The mock sends no mail: links are in the answer (devMode), as on a development server.
    magicLink: magicLinkHandlers(store.db, {
      clock: store.db,
      random: webCryptoRandom,
      hashing: webCryptoHashing,
      mail: { send: async () => undefined },
      exposeTokens: devMode,
    }),
    // Social sign-in through the core's flow. The provider is reached with fetch: a test serves its
    // OpenID Provider's endpoints (discovery, token, JWKS) with MSW handlers of its own, or runs a real one.
    oauthSignIn: socialSignInHandlers(store.db, {
      clock: store.db,
      random: webCryptoRandom,
      hashing: webCryptoHashing,
      sealer: oauthSecrets.sealer,
      // The presets' providers (GitHub, Apple, Microsoft) are the mock's stand-ins below, never the real ones.
      client: oauth4webapiClient({
        clock: store.db,
        allowInsecureRequests: true,
        endpoints: {
          github: MOCK_GITHUB_ENDPOINTS,
          apple: MOCK_APPLE_ORIGIN,
          microsoft: MOCK_MICROSOFT_LOGIN,
        },
      }),
      callbackUrl: (provider) => `${issuer}/auth/oauth/${encodeURIComponent(provider)}/callback`,
      login: authDeps,
    }),
    groups: groupsHandlers(store.db),
    roles: rolesHandlers(store.db),
    accounts: {
      ...accountsHandlers(store.db, {
        throttle: store.throttle,
        clock: store.db,
        random: webCryptoRandom,
        // The mock sends no mail (as for invites).
        mail: { send: async () => undefined },
      }),
      ...impersonationHandlers({
        uow: store.db,
        clock: store.db,
        random: webCryptoRandom,
        access: tokens.access,
      }),
    },
    apiKeys: apiKeysHandlers({ uow: store.db, clock: store.db, random: webCryptoRandom }),
    applications: applicationsHandlers({
      uow: store.db,
      clock: store.db,
      random: webCryptoRandom,
      // The mock is a development server: https, or http to localhost.
      jwksUriRules: { allowLocalHttp: true },
    }),
    oauth: oauthHandlers({ uow: store.db, clock: store.db, access: tokens.access }),
    policy: policyHandlers(store.db, (tenantId) => authorizeCalls.count(tenantId)),
    discovery: discoveryHandlers({ issuer, jwks: () => tokens.jwks() }),
    // The mock has no database to lose; its signing key is made on first use.
    health: healthHandlers({
      database: async () => undefined,
      signingKeys: async () => void (await tokens.jwks()),
      retryAfterSeconds: 1,
    }),
    audit: auditHandlers({ uow: store.db, clock: store.db }),
    privacy: privacyHandlers({ uow: store.db, clock: store.db }),
    // Endpoints and the outbox as the server keeps them; the mock delivers nothing (its secrets are sealed
    // under a key of its own).
    webhooks: webhooksHandlers({
      uow: store.db,
      clock: store.db,
      random: webCryptoRandom,
      sealer: webhookSealer,
      targets: { allowLocalHttp: true },
    }),
    // The development provider's page is served at the mock's base URL, as the server serves it at its own.
    // Sender settings and templates through the core, as on the server; the mock sends no mail.
    messaging: messagingHandlers(store.db, { sealer: webCryptoSealer(), clock: store.db }),
    kyc: kycHandlers(store.db, {
      sealer: webCryptoSealer(),
      clock: store.db,
      random: webCryptoRandom,
      apiBaseUrl: issuer,
      allowDevelopmentProvider: true,
    }),
    platform: platformHandlers({
      uow: store.db,
      clock: store.db,
      authorizeCalls,
      deletionGraceSeconds: options.tenantDeletionGrace ?? 30 * 86_400,
    }),
    revocations: revocationsHandlers({
      uow: store.db,
      retentionSeconds: feedRetentionSeconds(tokens.settings.accessTtl, tokens.settings.clockTolerance),
    }),
  };
  const dispatch = createDispatcher({
    store,
    tokens,
    handlers: routes,
    log: requests,
    validateResponses: options.validateResponses ?? true,
    pageOrigin,
    refreshCookieMaxAge: tokens.settings.refreshAbsoluteTtl,
    platformKeys: options.platformKeys ?? [],
  });
  const nowMs = () => new Date(clock.now()).getTime();
  const fakeProvider = createMockOAuthProvider(nowMs);
  const fakeGitHub = createMockGitHub();
  const fakeApple = createMockApple(nowMs);
  const fakeMicrosoft = createMockMicrosoft(nowMs);
  const handlers = [
    http.all(`${origin}/*`, ({ request }) => dispatch(request, origin)),
    ...fakeProvider.handlers,
    ...fakeGitHub.handlers,
    ...fakeApple.handlers,
    ...fakeMicrosoft.handlers,
  ];
  /** The origins a social sign-in passes through before it lands back on the app. */
  const servedOrigins = new Set([
    origin,
    new URL(fakeProvider.provider.issuer).origin,
    MOCK_GITHUB_ENDPOINTS.web,
    MOCK_APPLE_ORIGIN,
    MOCK_MICROSOFT_LOGIN,
  ]);

  const tenantOf = (ref: TenantRef): MemoryTenantRow => {
    const tenant = store.tenant(typeof ref === 'string' ? ref : ref.id);
    if (!tenant) throw new Error(`[enforcer mock] no tenant ${JSON.stringify(ref)}`);
    return tenant;
  };
  const accountOf = (id: string) => {
    const account = store.account(id);
    if (!account) throw new Error(`[enforcer mock] no account ${id}`);
    return account;
  };
  const groupOf = (tenantId: string, name: string) => {
    const group = groupNamed(store.db, tenantId, name);
    if (!group) throw new Error(`[enforcer mock] no group ${name}`);
    return group;
  };
  const membership = (input: { account: string; group: string }, member: boolean) => {
    const account = accountOf(input.account);
    seedMembership(store.db, account, groupOf(account.tenantId, input.group), member);
  };

  const decideKyc = async (accountId: string, decision: 'approved' | 'rejected' | 'expired') => {
    const account = accountOf(accountId);
    const session = await store.db.read((repos) => repos.kyc.latestSession(account.tenantId, account.id));
    if (!session)
      throw new Error(`[enforcer mock] account ${accountId} has no KYC session (POST /kyc/sessions first)`);
    await decideKycSessionById(store.db, session.id, decision, new Date(store.now()));
  };

  return {
    handlers,
    baseUrl,
    kyc: {
      approve: (account) => decideKyc(account, 'approved'),
      reject: (account) => decideKyc(account, 'rejected'),
      expire: (account) => decideKyc(account, 'expired'),
    },
    issuer,
    clock,
    oauthProvider: fakeProvider.provider,
    githubProvider: fakeGitHub.provider,
    appleProvider: fakeApple.provider,
    microsoftProvider: fakeMicrosoft.provider,
    followOAuthRedirects: (authorizationUrl) => followOAuthRedirects(authorizationUrl, servedOrigins),
    requests,
    count: (route) => requests.filter((r) => r.route === route).length,
    lastOtp(email, tenant) {
      const wanted = email.toLowerCase();
      const tenantId = tenant === undefined ? undefined : tenant === null ? null : tenantOf(tenant).id;
      let found: string | undefined;
      for (const row of store.otps.values()) {
        if (row.email === wanted && (tenantId === undefined || row.tenantId === tenantId)) found = row.code;
      }
      return found;
    },
    totpCode: (secret) => totpCode(secret, Math.floor(clock.now() / 1000 / TOTP_PERIOD_SECONDS)),
    webhookEvents(tenant) {
      const tenantId = tenantOf(tenant).id;
      return store.db.tables.webhookEvents
        .filter((event) => event.tenantId === tenantId)
        .map((event) => webhookEventSchema.parse(JSON.parse(event.payload)) as WebhookEvent);
    },
    seed: {
      tenant: ({ name = 'Acme Pay', policy, ...input } = {}) => {
        const tenant = seedTenant(store.db, webCryptoRandom, {
          name,
          ...input,
          ...(policy && { policy: validatePolicy(policy).document }),
        });
        return tenantView(tenantRecord(tenant));
      },
      account: ({ tenant, ...input }) =>
        accountDto(
          accountProfileOf(store.db, seedAccount(store.db, { tenantId: tenantOf(tenant).id, ...input })),
        ),
      group: ({ tenant, ...input }) => {
        const { id } = tenantOf(tenant);
        return groupDto(seedGroup(store.db, id, input), store.policyOf(id));
      },
      addToGroup: (input) => membership(input, true),
      removeFromGroup: (input) => membership(input, false),
      setRole: ({ account, role }) => seedGrant(store.db, accountOf(account), { role }),
      setActive: ({ account, active }) => seedGrant(store.db, accountOf(account), { active }),
      policy: (ref, document) => seedPolicy(store.db, tenantOf(ref).id, validatePolicy(document).document),
      apiKey: ({ tenant: ref, role, name }) => {
        const [id, key] = [webCryptoRandom.uuid(), newApiKey(webCryptoRandom)];
        const record = apiKeyRecord(webCryptoHashing, key, {
          id,
          tenantId: tenantOf(ref).id,
          name: name ?? 'seeded key',
          role: role ?? 'admin',
          createdBy: null,
          createdAt: new Date(store.now()),
          expiresAt: null,
        });
        // Hashing is async (WebCrypto): the insert is a queued unit of work, and every request after this
        // call (authentication included) queues behind it.
        void store.db.transaction(async (repos) => repos.apiKeys.insert(await record));
        return { id, key };
      },
      invite: ({ tenant: ref, email, role }) => {
        const tenant = tenantOf(ref);
        const code = generateInviteCode(webCryptoRandom);
        const invite = {
          id: webCryptoRandom.uuid(),
          tenantId: tenant.id,
          email: email.toLowerCase(),
          phone: null,
          role: role ?? 'member',
          roles: [role ?? 'member'],
          groups: [],
          provisioned: false,
          createdBy: null,
          expiresAt: new Date(store.now() + INVITE_TTL_SECONDS * 1000),
          acceptedAt: null,
        };
        // Queued: requests after this call (accepting it) see the invite once its hash is computed.
        void store.db.transaction(async (repos) =>
          repos.invites.create({ ...invite, codeHash: await hashInviteCode(code) }),
        );
        return {
          id: invite.id,
          code,
          email: invite.email,
          role: invite.role,
          expires_at: invite.expiresAt.toISOString(),
        };
      },
      otp: (email, tenant) => issueOtp(store, email.toLowerCase(), tenant ? tenantOf(tenant).id : null),
    },
    async signIn({ tenant: ref, email }) {
      const tenant = tenantOf(ref);
      const person = personByEmail(store.db, email.toLowerCase());
      const account = person && accountOfPerson(store.db, person.id, tenant.id);
      if (!account) throw new Error(`[enforcer mock] ${email} has no account in ${tenant.code}`);
      return tokens.signIn(account, ['otp']);
    },
    verifyAccessToken: (token) => tokens.verifyAccessToken(token),
    jwks: () => tokens.jwks(),
    rotateKeys: () => tokens.rotateKeys(),
    google: {
      keys: () => google.keys(),
      signIdToken: (claims) => google.signIdToken(claims),
    },
    async runDeletionJobs() {
      const deps = { uow: store.db, clock: store.db };
      // Tenants first: a person whose only account was in a deleted tenant goes with it.
      const tenantsDeleted = await deleteDueTenants(deps);
      const personsErased = await processDueDeletions(deps);
      return { tenantsDeleted, personsErased };
    },
    reset: () => {
      store.reset();
      requests.length = 0;
      for (const stand of [fakeProvider, fakeGitHub, fakeApple, fakeMicrosoft]) stand.reset();
    },
  };
}
