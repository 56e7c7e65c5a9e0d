import { type Application, type contract, managementActions, patternCovers } from '@enforcer/contract';
import { callerOf, type Handlers } from '../api/handlers.js';
import { auditActorOf, callerAccountId, refuseImpersonation } from '../caller.js';
import { AppError } from '../errors.js';
import { pageRequest, toPage } from '../pagination.js';
import { type Clock, type Hashing, type RandomSource, webCryptoHashing } from '../platform.js';
import { assertPatternsWithinReach } from '../policy/grants.js';
import { callerPolicy } from '../policy/handlers.js';
import type { TenantPolicy } from '../policy/tenant-policy.js';
import type { UnitOfWork } from '../store.js';
import type { WebhookTargetRules } from '../webhooks/targets.js';
import { assertUsablePublicJwks } from './jwks.js';
import type { ApplicationRecord } from './ports.js';
import { assertJwksUri } from './remote-jwks.js';
import {
  CLIENT_SECRET_SHOWN_PREFIX_LENGTH,
  hashClientSecret,
  newClientId,
  newClientSecret,
} from './secret.js';

export interface ApplicationsDeps {
  uow: UnitOfWork;
  clock: Clock;
  random: RandomSource;
  hashing?: Hashing;
  /**
   * Which `jwks_uri`s may be registered (as webhook URLs: https, http to localhost outside production, and
   * in production a host resolving to public addresses only).
   */
  jwksUriRules: WebhookTargetRules;
}

export const applicationView = (app: ApplicationRecord): Application => ({
  id: app.id,
  name: app.name,
  description: app.description,
  client_id: app.clientId,
  token_endpoint_auth_method: app.authMethod,
  secret_prefix: app.secretPrefix,
  jwks: app.jwks ? { keys: app.jwks.map((k) => ({ ...k })) } : null,
  jwks_uri: app.jwksUri,
  scopes: [...app.scopes],
  created_at: app.createdAt.toISOString(),
  updated_at: app.updatedAt.toISOString(),
  secret_rotated_at: app.secretRotatedAt.toISOString(),
  last_used_at: app.lastUsedAt?.toISOString() ?? null,
});

/**
 * The actions the tenant's policy knows: every pattern it grants (roles, groups) or names in a rule, and
 * Enforcer's own management actions. A bare `*` is left out: it covers everything and names nothing.
 */
function tenantActionPatterns(policy: TenantPolicy): string[] {
  const doc = policy.effective;
  return [
    ...managementActions,
    ...Object.values(doc.roles).flatMap((r) => r.permissions),
    ...Object.values(doc.groups ?? {}).flatMap((g) => g.permissions),
    ...(doc.rules ?? []).flatMap((r) => r.actions),
  ].filter((p) => p !== '*');
}

/**
 * An application's scopes are actions of its tenant's policy (`400 validation_failed` naming the scope
 * otherwise, so a typo is caught when the application is made, not when a decision quietly says no), and
 * each one the caller holds itself (`403 forbidden`): nobody makes a client that outranks them.
 */
export function assertScopesGrantable(
  policy: TenantPolicy,
  caller: Parameters<typeof assertPatternsWithinReach>[1],
  scopes: readonly string[],
): void {
  const known = tenantActionPatterns(policy);
  const errors = scopes.flatMap((scope, i) =>
    known.some((p) => patternCovers(p, scope))
      ? []
      : [{ path: `body.scopes.${i}`, message: `"${scope}" is not an action of this tenant's policy` }],
  );
  if (errors.length > 0) {
    throw new AppError('validation_failed', "Every scope must be an action of the tenant's policy", {
      errors,
    });
  }
  assertPatternsWithinReach(policy, caller, scopes, "The application's scopes");
}

/**
 * Applications (machine clients, #18): `POST`/`GET /applications`, `GET`/`PATCH`/`DELETE
 * /applications/{id}`, `POST /applications/{id}/rotate-secret`. The route's permission
 * (`applications.manage` or `applications.read`) is checked before a handler runs. The client secret is in
 * the creation and rotation answers only; the store keeps its SHA-256.
 */
export const applicationsHandlers = (deps: ApplicationsDeps): Handlers<typeof contract.applications> => {
  const { uow, clock, random } = deps;
  const hashing = deps.hashing ?? webCryptoHashing;

  const freshSecret = async () => {
    const secret = newClientSecret(random);
    return {
      secret,
      secretHash: await hashClientSecret(hashing, secret),
      secretPrefix: secret.slice(0, CLIENT_SECRET_SHOWN_PREFIX_LENGTH),
    };
  };

  const found = async (
    repos: Parameters<Parameters<UnitOfWork['read']>[0]>[0],
    tenantId: string,
    id: string,
  ) => {
    const app = await repos.applications.find(tenantId, id);
    if (!app) throw new AppError('not_found', 'No such application');
    return app;
  };

  return {
    create: async ({ body }, ctx) => {
      const caller = callerOf(ctx);
      refuseImpersonation(caller, 'register an application');
      const now = clock.now();
      // With keys (`private_key_jwt`, inline or at a URL) the application is given no secret at all.
      const jwks = body.jwks ? await assertUsablePublicJwks(body.jwks) : null;
      const jwksUri = body.jwks_uri ? await assertJwksUri(deps.jwksUriRules, body.jwks_uri) : null;
      const keyed = jwks !== null || jwksUri !== null;
      const credential = keyed
        ? { secret: undefined, secretHash: null, secretPrefix: null }
        : await freshSecret();
      const app: ApplicationRecord = {
        id: random.uuid(),
        tenantId: caller.tenantId,
        name: body.name,
        description: body.description ?? null,
        clientId: newClientId(random),
        authMethod: keyed ? 'private_key_jwt' : 'client_secret_basic',
        secretPrefix: credential.secretPrefix,
        secretHash: credential.secretHash,
        jwks,
        jwksUri,
        scopes: body.scopes,
        createdBy: callerAccountId(caller),
        createdAt: now,
        updatedAt: now,
        secretRotatedAt: now,
        lastUsedAt: null,
      };
      await uow.transaction(async (repos) => {
        assertScopesGrantable(await callerPolicy(repos, caller), caller, app.scopes);
        await repos.applications.insert(app);
        repos.audit.record({
          action: 'application.created',
          actor: auditActorOf(caller),
          tenantId: caller.tenantId,
          target: { type: 'application', id: app.id },
          ...ctx.client,
          details: {
            name: app.name,
            client_id: app.clientId,
            scopes: app.scopes,
            token_endpoint_auth_method: app.authMethod,
            ...(jwksUri ? { jwks_uri: jwksUri } : {}),
          },
        });
      });
      const view = applicationView(app);
      return {
        status: 201,
        body: credential.secret === undefined ? view : { ...view, client_secret: credential.secret },
      };
    },

    list: async ({ query }, ctx) => {
      const caller = callerOf(ctx);
      const rows = await uow.read((repos) => repos.applications.list(caller.tenantId, pageRequest(query)));
      return { status: 200, body: toPage(rows, query.limit, applicationView) };
    },

    get: async ({ params }, ctx) => {
      const caller = callerOf(ctx);
      const app = await uow.read((repos) => found(repos, caller.tenantId, params.id));
      return { status: 200, body: applicationView(app) };
    },

    update: async ({ params, body }, ctx) => {
      const caller = callerOf(ctx);
      const jwks = body.jwks ? await assertUsablePublicJwks(body.jwks) : undefined;
      const jwksUri = body.jwks_uri ? await assertJwksUri(deps.jwksUriRules, body.jwks_uri) : undefined;
      const newKeys = jwks !== undefined || jwksUri !== undefined;
      const app = await uow.transaction(async (repos) => {
        const current = await found(repos, caller.tenantId, params.id);
        if (newKeys && current.authMethod !== 'private_key_jwt') {
          throw new AppError(
            'conflict',
            'This application authenticates with a secret: it has no keys to replace',
          );
        }
        if (newKeys) refuseImpersonation(caller, "replace an application's keys");
        if (body.scopes) {
          const policy = await callerPolicy(repos, caller);
          // Only what is added needs the caller's reach: dropping a scope is always allowed.
          assertScopesGrantable(
            policy,
            caller,
            body.scopes.filter((s) => !current.scopes.includes(s)),
          );
        }
        const next: ApplicationRecord = {
          ...current,
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.description !== undefined ? { description: body.description } : {}),
          ...(body.scopes !== undefined ? { scopes: body.scopes } : {}),
          ...(jwks ? { jwks, jwksUri: null, secretRotatedAt: clock.now() } : {}),
          ...(jwksUri ? { jwks: null, jwksUri, secretRotatedAt: clock.now() } : {}),
          updatedAt: clock.now(),
        };
        await repos.applications.update(next);
        repos.audit.record({
          action: 'application.updated',
          actor: auditActorOf(caller),
          tenantId: caller.tenantId,
          target: { type: 'application', id: next.id },
          ...ctx.client,
          details: {
            client_id: next.clientId,
            ...(body.name !== undefined ? { name: next.name } : {}),
            ...(body.scopes !== undefined ? { scopes_before: current.scopes, scopes: next.scopes } : {}),
            ...(jwks ? { keys_replaced: true, kids: jwks.map((k) => k.kid ?? null) } : {}),
            ...(jwksUri ? { keys_replaced: true, jwks_uri: jwksUri } : {}),
          },
        });
        return next;
      });
      return { status: 200, body: applicationView(app) };
    },

    delete: async ({ params }, ctx) => {
      const caller = callerOf(ctx);
      await uow.transaction(async (repos) => {
        const app = await found(repos, caller.tenantId, params.id);
        await repos.applications.delete(app.id);
        repos.audit.record({
          action: 'application.deleted',
          actor: auditActorOf(caller),
          tenantId: caller.tenantId,
          target: { type: 'application', id: app.id },
          ...ctx.client,
          details: { name: app.name, client_id: app.clientId },
        });
      });
      return { status: 204, body: undefined };
    },

    rotateSecret: async ({ params }, ctx) => {
      const caller = callerOf(ctx);
      refuseImpersonation(caller, "rotate an application's secret");
      const { secret, secretHash, secretPrefix } = await freshSecret();
      const app = await uow.transaction(async (repos) => {
        const current = await found(repos, caller.tenantId, params.id);
        if (current.authMethod === 'private_key_jwt') {
          throw new AppError(
            'conflict',
            'This application authenticates with keys and has no secret: replace its jwks or jwks_uri',
          );
        }
        const now = clock.now();
        const next = { ...current, secretHash, secretPrefix, secretRotatedAt: now, updatedAt: now };
        await repos.applications.update(next);
        repos.audit.record({
          action: 'application.secret_rotated',
          actor: auditActorOf(caller),
          tenantId: caller.tenantId,
          target: { type: 'application', id: next.id },
          ...ctx.client,
          details: { client_id: next.clientId },
        });
        return next;
      });
      return { status: 200, body: { ...applicationView(app), client_secret: secret } };
    },
  };
};
