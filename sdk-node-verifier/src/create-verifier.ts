import {
  metadataAttributeSources,
  mfaSubjectAttributes,
  tokenSubjectAttributes,
  VerifiedTokenCache,
} from '@enforcer/contract';
import type { Action, CompiledPolicy, Explanation, Plan, Resource, Subject } from '@enforcer/contract/policy';
import { VerifierError } from './errors';
import type { KeySource, KeySourceStatus } from './keys/key-source';
import { LocalKeySet } from './keys/local-key-set';
import { RemoteKeySet } from './keys/remote-key-set';
import { type ResolvedOptions, resolveOptions, type VerifierOptions } from './options';
import {
  type PolicySource,
  type PolicySourceStatus,
  RemotePolicy,
  StaticPolicy,
} from './policy/policy-source';
import {
  type AnyPrincipal,
  buildClientPrincipal,
  buildPrincipal,
  type ClientPrincipal,
  kGeneration,
  kOwner,
  type Principal,
  type PrincipalSlots,
  rebuildPrincipal,
} from './principal';
import { RevocationFeedPoller } from './revocations/revocation-feed';
import type { CachedToken } from './token/cached-token';
import { type VerifyTokenRules, verifyToken } from './token/verify-token';

/** A decision and what decided it: exactly what `POST /authorize` answers (`{ allowed, reason }`). */
export type Decision = Explanation;

/** One check of `authorizeMany`: an element of `POST /authorize/batch`'s `checks`. */
export interface Check {
  action: Action;
  resource?: Resource | undefined;
}

export interface VerifierStatus {
  keys: KeySourceStatus;
  policy: PolicySourceStatus;
  revocations:
    | { tenantId: string | undefined; syncedAt: number | undefined; sessions: number; accounts: number }
    | undefined;
  cachedTokens: number;
}

/**
 * Authenticates and authorizes requests offline: access tokens are verified against the configured
 * JWKS, decisions use the tenant's policy through the same engine as the server, and the revocation
 * feed makes logouts and grant changes apply within its poll interval.
 *
 * `P` is what `verify` answers: an account's `Principal`, or with `acceptClientTokens: true` also an
 * application's `ClientPrincipal` (tell them apart by `kind`).
 */
export interface Verifier<P extends AnyPrincipal = Principal> {
  /** Verifies an access token; throws `VerifierError` with a closed `code`. */
  verify(token: string): Promise<P>;
  /** May the principal do `action` (to `resource`)? With the reason, as `POST /authorize` answers. */
  authorize(principal: P, action: Action, resource?: Resource): Decision;
  authorize(token: string, action: Action, resource?: Resource): Promise<Decision>;
  /**
   * Many checks for one principal, answered in order, as `POST /authorize/batch` answers them (the token is
   * verified once; a refused token refuses them all).
   */
  authorizeMany(principal: P, checks: readonly Check[]): Decision[];
  authorizeMany(token: string, checks: readonly Check[]): Promise<Decision[]>;
  /** The same decision as a boolean. */
  can(principal: P, action: Action, resource?: Resource): boolean;
  can(token: string, action: Action, resource?: Resource): Promise<boolean>;
  /** Which records of `resourceType` may the principal `action`? A plan for `toSql`/`toMikroOrm`/`toPredicate`. */
  filter(principal: P, action: Action, resourceType: string): Plan;
  filter(token: string, action: Action, resourceType: string): Promise<Plan>;
  /** The compiled policy decisions use now (throws `policy_unavailable` before it is loaded). */
  readonly policy: CompiledPolicy;
  /** Resolves when the first load of every remote source has been attempted (see `status()`). */
  ready(): Promise<void>;
  /** Fetches the JWKS, the policy and the feed now. */
  refresh(): Promise<void>;
  status(): VerifierStatus;
  /** Stops the timers (they never keep the process alive anyway). */
  close(): void;
}

type OwnPrincipal = AnyPrincipal & PrincipalSlots;

class EnforcerVerifier implements Verifier<AnyPrincipal> {
  readonly #o: ResolvedOptions;
  readonly #keys: KeySource;
  readonly #policy: PolicySource;
  readonly #feed: RevocationFeedPoller | undefined;
  readonly #cache: VerifiedTokenCache<CachedToken> | undefined;
  readonly #rules: VerifyTokenRules;
  #ready: Promise<void> | undefined;

  constructor(o: ResolvedOptions) {
    this.#o = o;
    this.#cache = o.tokenCacheSize > 0 ? new VerifiedTokenCache<CachedToken>(o.tokenCacheSize) : undefined;
    const common = { fetch: o.fetch, timeoutMs: o.requestTimeoutMs, now: o.now };

    if (o.jwks.kind === 'local') {
      this.#keys = new LocalKeySet(o.jwks.jwks, o.algorithms);
    } else {
      this.#keys = new RemoteKeySet({
        ...common,
        uri: o.jwks.uri,
        algorithms: o.algorithms,
        maxAgeMs: o.jwks.maxAgeMs,
        cooldownMs: o.jwks.cooldownMs,
        maxStaleMs: o.jwks.maxStaleMs,
        onError: (error) => o.onError(error, 'jwks'),
        onKeysRemoved: (kids) => this.#cache?.forgetKeys(kids),
      });
    }
    this.#policy =
      o.policy.kind === 'document'
        ? new StaticPolicy(o.policy.document)
        : new RemotePolicy({
            ...common,
            endpoint: o.policy.endpoint,
            refreshMs: o.policy.refreshMs,
            autoRefresh: o.autoRefresh,
            onError: (error) => o.onError(error, 'policy'),
          });
    this.#feed = o.revocations
      ? new RevocationFeedPoller({
          ...common,
          ...o.revocations,
          tenantId: o.tenantId,
          clockToleranceSec: o.clockToleranceSec,
          autoRefresh: o.autoRefresh,
          onError: (error) => o.onError(error, 'revocations'),
        })
      : undefined;
    this.#rules = {
      header: { maxLength: o.maxTokenLength, algorithms: o.algorithms },
      claims: { issuer: o.issuer, audience: o.audience, clockToleranceSec: o.clockToleranceSec },
      keys: this.#keys,
      now: o.now,
    };
    if (o.autoRefresh) void this.ready();
  }

  async verify(token: string): Promise<AnyPrincipal> {
    return this.#fromCache(token) ?? this.#verify(token);
  }

  authorize(principal: AnyPrincipal, action: Action, resource?: Resource): Decision;
  authorize(token: string, action: Action, resource?: Resource): Promise<Decision>;
  authorize(who: AnyPrincipal | string, action: Action, resource?: Resource): Decision | Promise<Decision> {
    if (typeof who === 'string') {
      return this.#verifyForDecision(who).then((p) =>
        this.#policy.current().explain(this.#subject(p), action, resource),
      );
    }
    return this.#policy.current().explain(this.#subject(who), action, resource);
  }

  authorizeMany(principal: AnyPrincipal, checks: readonly Check[]): Decision[];
  authorizeMany(token: string, checks: readonly Check[]): Promise<Decision[]>;
  authorizeMany(who: AnyPrincipal | string, checks: readonly Check[]): Decision[] | Promise<Decision[]> {
    if (typeof who === 'string') return this.#verifyForDecision(who).then((p) => this.#decideAll(p, checks));
    return this.#decideAll(who, checks);
  }

  #decideAll(principal: AnyPrincipal, checks: readonly Check[]): Decision[] {
    const policy = this.#policy.current();
    const subject = this.#subject(principal);
    return checks.map(({ action, resource }) => policy.explain(subject, action, resource));
  }

  can(principal: AnyPrincipal, action: Action, resource?: Resource): boolean;
  can(token: string, action: Action, resource?: Resource): Promise<boolean>;
  can(who: AnyPrincipal | string, action: Action, resource?: Resource): boolean | Promise<boolean> {
    if (typeof who === 'string') {
      return this.#verifyForDecision(who).then((p) =>
        this.#policy.current().can(this.#subject(p), action, resource),
      );
    }
    return this.#policy.current().can(this.#subject(who), action, resource);
  }

  filter(principal: AnyPrincipal, action: Action, resourceType: string): Plan;
  filter(token: string, action: Action, resourceType: string): Promise<Plan>;
  filter(who: AnyPrincipal | string, action: Action, resourceType: string): Plan | Promise<Plan> {
    if (typeof who === 'string')
      return this.#verifyForDecision(who).then((p) => this.#plan(p, action, resourceType));
    return this.#plan(who, action, resourceType);
  }

  #plan(principal: AnyPrincipal, action: Action, resourceType: string): Plan {
    const policy = this.#policy.current();
    // As `POST /authorize/filter`: a type the policy does not declare is an error, not an empty plan.
    if (!Object.hasOwn(policy.document.resources, resourceType)) {
      throw new VerifierError(
        'unknown_resource_type',
        `the policy declares no resource type "${resourceType}"`,
      );
    }
    return policy.plan(this.#subject(principal), action, resourceType);
  }

  get policy(): CompiledPolicy {
    return this.#policy.current();
  }

  ready(): Promise<void> {
    this.#ready ??= Promise.all([this.#keys.ready(), this.#policy.ready(), this.#feed?.ready()]).then(
      () => {},
    );
    return this.#ready;
  }

  async refresh(): Promise<void> {
    await Promise.all([this.#keys.refresh(), this.#policy.refresh(), this.#feed?.sync()]);
  }

  status(): VerifierStatus {
    return {
      keys: this.#keys.status(),
      policy: this.#policy.status(),
      revocations: this.#feed?.status(),
      cachedTokens: this.#cache?.size ?? 0,
    };
  }

  close(): void {
    this.#policy.close();
    this.#feed?.close();
  }

  /** A token verified before, if it still stands (expiry, revocation and grant checked again). */
  #fromCache(token: string): AnyPrincipal | undefined {
    const entry = this.#cache?.get(token);
    if (!entry) return undefined;
    const now = this.#o.now();
    if (now / 1000 - this.#o.clockToleranceSec >= entry.exp) {
      this.#cache!.delete(token);
      return undefined; // verified again below, which says `expired`
    }
    // Keys are refreshed on use, cached tokens included: a key that leaves the JWKS takes its tokens along.
    this.#keys.assertUsable();
    const feed = this.#feed;
    if (feed) {
      feed.assertFresh(now);
      if (entry.principal[kGeneration] !== feed.state.generation) {
        try {
          entry.principal = rebuildPrincipal(entry.principal, feed.state, this);
        } catch (error) {
          this.#cache!.delete(token);
          throw error;
        }
      }
    }
    return entry.principal;
  }

  async #verify(token: string): Promise<AnyPrincipal> {
    await this.ready();
    const verified = await verifyToken(token, this.#rules);
    const { claims, kid } = verified;
    if (verified.kind === 'client' && !this.#o.acceptClientTokens) {
      throw new VerifierError(
        'client_token',
        "an application's token: this verifier accepts accounts' tokens only (acceptClientTokens)",
      );
    }
    const feed = this.#feed;
    feed?.assertFresh(this.#o.now());
    const tenant = this.#o.tenantId ?? feed?.tenantId;
    if (claims.tenant_id !== tenant) {
      throw new VerifierError('wrong_tenant', 'the token belongs to another tenant', { claim: 'tenant_id' });
    }
    const principal =
      verified.kind === 'client'
        ? buildClientPrincipal(verified.claims, feed?.state, this)
        : buildPrincipal(verified.claims, feed?.state, this);
    this.#cache?.set(token, { principal, exp: claims.exp, kid });
    return principal;
  }

  async #verifyForDecision(token: string): Promise<AnyPrincipal> {
    const principal = await this.verify(token);
    await this.ready(); // the policy's first load, when a cached token arrives first
    return principal;
  }

  /** The engine's subject for a principal of ours, with the feed's current view of its account. */
  #subject(principal: AnyPrincipal): Subject {
    const own = principal as OwnPrincipal;
    if (own?.[kOwner] !== this) throw new TypeError('not a principal verified by this verifier');
    const now = this.#o.now();
    if (now / 1000 - this.#o.clockToleranceSec >= own.expiresAt) {
      throw new VerifierError('expired', 'the token has expired', { claim: 'exp' });
    }
    const feed = this.#feed;
    let subject = own.subject;
    if (feed) {
      feed.assertFresh(now);
      if (own[kGeneration] !== feed.state.generation)
        subject = rebuildPrincipal(own, feed.state, this).subject;
    }
    // An application decides with its scopes and no attributes: no metadata, no second factor (as the server).
    if (own.kind === 'client') return subject;
    const document = this.#policy.current().document;
    if (feed && metadataAttributeSources(document).length > 0) {
      // The feed carries roles and groups, not metadata: a token older than the account's last grant change
      // may carry stale `attrs`, and deciding with them would not be what the server decides.
      const fed = feed.state.accounts.get(own.claims.sub);
      if (fed && fed.grantVersion > own.claims.grant_version) {
        throw new VerifierError(
          'stale_attributes',
          'the account changed since the token was minted and the policy reads its metadata: refresh the token',
        );
      }
    }
    // What the policy sources from public metadata (the token's `attrs`, as declared now), and the second
    // factor's recency, as the server computes both.
    const attributes = {
      ...tokenSubjectAttributes(document, own.claims.attrs),
      ...mfaSubjectAttributes(own.claims, now),
    };
    if (Object.keys(attributes).length === 0) return subject;
    return { ...subject, attributes };
  }
}

/**
 * Creates a verifier; refuses options it cannot honour safely (`invalid_options`). With
 * `acceptClientTokens: true` it also verifies applications' tokens (`ClientPrincipal`).
 */
export function createVerifier(
  options: VerifierOptions & { acceptClientTokens: true },
): Verifier<Principal | ClientPrincipal>;
export function createVerifier(options: VerifierOptions): Verifier;
export function createVerifier(options: VerifierOptions): Verifier<AnyPrincipal> {
  return new EnforcerVerifier(resolveOptions(options));
}
