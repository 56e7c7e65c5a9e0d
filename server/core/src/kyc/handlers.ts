import type { contract, KycSession, KycSettings, KycStatus } from '@enforcer/contract';
import { callerOf, type HandlerContext, type Handlers } from '../api/handlers.js';
import { auditActorOf, type Caller, refuseImpersonation } from '../caller.js';
import { AppError } from '../errors.js';
import type { SecretSealer } from '../mfa/sealer.js';
import { base64url, type Clock, type RandomSource, webCryptoHashing } from '../platform.js';
import type { Repositories, UnitOfWork } from '../store.js';
import { ownTenant } from '../tenants/invites.js';
import { DEFAULT_KYC_GROUP, decideKycSession, ensureKycGroup } from './decide.js';
import { developmentPage } from './dev-page.js';
import type { KycSessionRecord, KycSettingsRecord } from './ports.js';
import { kycProviderDrivers } from './providers.js';

export interface KycDeps {
  /** Seals provider secrets at rest (the server: AES-256-GCM under a sub-key of its master key). */
  sealer: SecretSealer;
  clock: Clock;
  random: RandomSource;
  /** The API's public base URL, `…/api/v1/enforcer`: where the development provider's page is served. */
  apiBaseUrl: string;
  /** Whether tenants may choose the development provider (never in production). */
  allowDevelopmentProvider: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const associatedData = (tenantId: string, name: 'webhook_secret' | 'api_key') => `kyc:${tenantId}:${name}`;

function settingsDto(record: KycSettingsRecord | null): KycSettings {
  return {
    enabled: record?.enabled ?? false,
    provider: record?.provider ?? 'development',
    group: record?.group ?? DEFAULT_KYC_GROUP,
    accept_other_tenants: record?.acceptOtherTenants ?? false,
    template_id: record?.templateId ?? null,
    environment_id: record?.environmentId ?? null,
    webhook_secret_set: Boolean(record?.webhookSecretSealed),
    api_key_set: Boolean(record?.apiKeySealed),
    updated_at: record ? record.updatedAt.toISOString() : null,
  };
}

const sessionDto = (session: KycSessionRecord, url: string | null): KycSession => ({
  id: session.id,
  provider: session.provider,
  status: session.status,
  url,
  created_at: session.createdAt.toISOString(),
});

const hashToken = (token: string) => webCryptoHashing.sha256(`kyc-dev:${token}`);

/** The signed-in account's tenant settings, switched on (`403 module_disabled` otherwise). */
async function enabledSettings(repos: Repositories, caller: Caller, deps: KycDeps) {
  const settings = await repos.kyc.settings(caller.tenantId);
  if (!settings?.enabled || (settings.provider === 'development' && !deps.allowDevelopmentProvider)) {
    throw new AppError('module_disabled', 'Identity verification (KYC) is not switched on for this tenant');
  }
  return settings;
}

/** A development session by its page token, while its tenant still uses the development provider. */
async function developmentSession(repos: Repositories, deps: KycDeps, token: string, lock: boolean) {
  const session = await repos.kyc.findSessionByTokenHash(await hashToken(token), { lock });
  const settings = session && (await repos.kyc.settings(session.tenantId));
  if (
    session?.provider !== 'development' ||
    !deps.allowDevelopmentProvider ||
    !settings?.enabled ||
    settings.provider !== 'development'
  ) {
    throw new AppError('not_found', 'No such verification session');
  }
  return session;
}

const signatureRefused = () =>
  new AppError(
    'webhook_signature_invalid',
    'The webhook signature is missing, wrong or outside its time window',
  );

/**
 * The KYC module (#16): a tenant's settings (`/tenants/{id}/modules/kyc`), a person's verification sessions
 * and status (`/kyc/sessions`, `/kyc/status`), the provider's signed webhooks and the development
 * provider's page. Every decision goes through `decideKycSession`: group membership, grant version, the
 * person's verification and the `kyc.status_changed` audit event commit together.
 */
export const kycHandlers = (uow: UnitOfWork, deps: KycDeps): Handlers<typeof contract.kyc> => ({
  getSettings: async ({ params }, ctx) => {
    const caller = callerOf(ctx);
    const record = await uow.read(async (repos) => {
      await ownTenant(repos, caller, params.id);
      return repos.kyc.settings(caller.tenantId);
    });
    return { status: 200, body: settingsDto(record) };
  },

  putSettings: async ({ params, body }, ctx) => {
    const caller = callerOf(ctx);
    const record = await uow.transaction(async (repos) => {
      const tenant = await ownTenant(repos, caller, params.id, true);
      if (body.provider === 'development' && !deps.allowDevelopmentProvider) {
        throw new AppError('validation_failed', 'The development provider is not available in production', {
          errors: [{ path: 'body.provider', message: 'not available in production' }],
        });
      }
      const before = await repos.kyc.settings(tenant.id);
      const seal = async (
        value: string | null | undefined,
        name: 'webhook_secret' | 'api_key',
        kept: string | null,
      ) =>
        value === undefined
          ? kept
          : value === null
            ? null
            : deps.sealer.seal(value, associatedData(tenant.id, name));
      const next: KycSettingsRecord = {
        tenantId: tenant.id,
        enabled: body.enabled,
        provider: body.provider,
        group: body.group ?? before?.group ?? DEFAULT_KYC_GROUP,
        acceptOtherTenants: body.accept_other_tenants ?? before?.acceptOtherTenants ?? false,
        templateId: body.template_id === undefined ? (before?.templateId ?? null) : body.template_id,
        environmentId:
          body.environment_id === undefined ? (before?.environmentId ?? null) : body.environment_id,
        webhookSecretSealed: await seal(
          body.webhook_secret,
          'webhook_secret',
          before?.webhookSecretSealed ?? null,
        ),
        apiKeySealed: await seal(body.api_key, 'api_key', before?.apiKeySealed ?? null),
        updatedAt: deps.clock.now(),
      };
      const missing = next.enabled ? kycProviderDrivers[next.provider].missing(next) : [];
      if (missing.length > 0) {
        throw new AppError(
          'validation_failed',
          `The ${next.provider} provider needs ${missing.join(' and ')}`,
          {
            errors: missing.map((field) => ({
              path: `body.${field}`,
              message: 'required to enable this provider',
            })),
          },
        );
      }
      if (next.enabled) await ensureKycGroup(repos, tenant.id, next.group);
      await repos.kyc.saveSettings(next);
      const previous = settingsDto(before);
      const now = settingsDto(next);
      const changed = (Object.keys(now) as (keyof KycSettings)[]).filter(
        (field) => field !== 'updated_at' && previous[field] !== now[field],
      );
      // Replacing a secret with another leaves `*_set` as it was: name it anyway.
      if (typeof body.webhook_secret === 'string' && !changed.includes('webhook_secret_set'))
        changed.push('webhook_secret_set');
      if (typeof body.api_key === 'string' && !changed.includes('api_key_set')) changed.push('api_key_set');
      repos.audit.record({
        action: 'kyc.settings.updated',
        actor: auditActorOf(caller),
        tenantId: tenant.id,
        target: { type: 'tenant', id: tenant.id },
        ...ctx.client,
        details: { fields: changed, enabled: next.enabled, provider: next.provider, group: next.group },
      });
      return next;
    });
    return { status: 200, body: settingsDto(record) };
  },

  createSession: async ({ body }, ctx) => {
    const caller = callerOf(ctx);
    if (caller.kind !== 'user')
      throw new AppError('credential_not_allowed', 'Only a signed-in person verifies');
    // The verification is the person's and may carry to other tenants: only the person starts one.
    refuseImpersonation(caller, 'start an identity verification');
    const now = deps.clock.now();
    const result = await uow.transaction(async (repos) => {
      const settings = await enabledSettings(repos, caller, deps);
      const latest = await repos.kyc.latestSession(caller.tenantId, caller.accountId);
      if (latest?.status === 'approved') return { status: 200 as const, body: sessionDto(latest, null) };
      const base = {
        id: deps.random.uuid(),
        tenantId: caller.tenantId,
        accountId: caller.accountId,
        personId: caller.personId,
        createdAt: now,
        decidedAt: null,
        decisionEventAt: null,
      };
      // The verification belongs to the person: one from another tenant counts here when the tenant says so.
      const verification = await repos.kyc.verification(caller.personId);
      if (
        settings.acceptOtherTenants &&
        verification?.status === 'approved' &&
        verification.tenantId !== caller.tenantId
      ) {
        const carried: KycSessionRecord = {
          ...base,
          provider: 'carried',
          status: 'pending',
          tokenHash: null,
          basisSessionId: verification.sessionId,
        };
        await repos.kyc.insertSession(carried);
        const decided = await decideKycSession(repos, carried, 'approved', {
          now,
          client: ctx.client,
          source: 'carried',
        });
        return { status: 200 as const, body: sessionDto(decided, null) };
      }
      const pageToken = settings.provider === 'development' ? base64url(deps.random.bytes(32)) : null;
      const session: KycSessionRecord = {
        ...base,
        provider: settings.provider,
        status: 'pending',
        tokenHash: pageToken ? await hashToken(pageToken) : null,
        basisSessionId: null,
      };
      await repos.kyc.insertSession(session);
      repos.audit.record({
        action: 'kyc.session.created',
        actor: auditActorOf(caller),
        tenantId: caller.tenantId,
        target: { type: 'account', id: caller.accountId },
        ...ctx.client,
        details: { session_id: session.id, provider: session.provider },
      });
      const url = kycProviderDrivers[settings.provider].startUrl({
        sessionId: session.id,
        settings,
        pageToken,
        apiBaseUrl: deps.apiBaseUrl,
        redirectUrl: body?.redirect_url,
      });
      return { status: 201 as const, body: sessionDto(session, url) };
    });
    return result;
  },

  status: async (_request, ctx) => {
    const caller = callerOf(ctx);
    if (caller.kind !== 'user')
      throw new AppError('credential_not_allowed', 'Only a signed-in person has a status');
    const body = await uow.read(async (repos) => {
      const latest = await repos.kyc.latestSession(caller.tenantId, caller.accountId);
      const verification = await repos.kyc.verification(caller.personId);
      const status: KycStatus = latest?.status ?? 'none';
      return {
        status,
        level: status === 'approved' ? ('verified' as const) : ('none' as const),
        verified_elsewhere: verification?.status === 'approved' && verification.tenantId !== caller.tenantId,
        session: latest
          ? {
              id: latest.id,
              provider: latest.provider,
              status: latest.status,
              created_at: latest.createdAt.toISOString(),
            }
          : null,
        verified_at:
          latest?.status === 'approved' && latest.decidedAt ? latest.decidedAt.toISOString() : null,
      };
    });
    return { status: 200, body };
  },

  webhook: async ({ params, headers, body }, ctx) => {
    const driver = kycProviderDrivers[params.provider];
    const inbound = driver.inbound;
    const rawBody = ctx.rawBody;
    if (!inbound || !rawBody) throw signatureRefused();
    const now = deps.clock.now();
    const outcome = await uow.transaction(async (repos) => {
      // The tenant is whoever opened the session the event refers to; its secret, and only its secret, signs.
      const event = inbound.read(body);
      const session =
        event?.referenceId && UUID.test(event.referenceId)
          ? await repos.kyc.findSession(event.referenceId)
          : null;
      const settings = session ? await repos.kyc.settings(session.tenantId) : null;
      const sealed = settings?.provider === driver.name ? settings.webhookSecretSealed : null;
      const secret =
        sealed && session
          ? await deps.sealer.open(sealed, associatedData(session.tenantId, 'webhook_secret'))
          : null;
      const check = secret
        ? await inbound.verify({
            headers: headers as Record<string, string | undefined>,
            rawBody,
            secret,
            now,
          })
        : ({ ok: false, reason: 'mismatch' } as const);
      if (!check.ok || !event || !session || !settings) {
        return { refused: check.ok ? 'unknown' : check.reason, tenantId: session?.tenantId ?? null };
      }
      if (!(await repos.kyc.recordEvent(session.tenantId, driver.name, event.eventId, now))) {
        return { result: 'duplicate' as const };
      }
      const decision = inbound.outcome(event.name);
      if (!decision || !settings.enabled) return { result: 'ignored' as const };
      const locked = await repos.kyc.findSession(session.id, { lock: true });
      if (!locked) return { result: 'ignored' as const };
      // Deliveries come in any order: an event older than the one that decided the session is history.
      if (event.occurredAt && locked.decisionEventAt && event.occurredAt < locked.decisionEventAt) {
        return { result: 'ignored' as const };
      }
      await decideKycSession(repos, locked, decision, {
        now,
        client: ctx.client,
        source: `${driver.name}:${event.name}`,
        eventAt: event.occurredAt,
      });
      return { result: 'processed' as const };
    });
    if ('refused' in outcome) {
      if (outcome.tenantId) {
        // Committed on its own: the refusal is the one thing this request leaves behind.
        await uow.transaction(async (repos) =>
          repos.audit.record({
            action: 'kyc.webhook.refused',
            outcome: 'failure',
            actor: { type: 'anonymous' },
            tenantId: outcome.tenantId,
            ...ctx.client,
            details: { provider: driver.name, reason: outcome.refused },
          }),
        );
      }
      throw signatureRefused();
    }
    return { status: 200, body: { result: outcome.result } };
  },

  devPage: async ({ params }) => {
    const { html, headers } = await uow.read(async (repos) => {
      const session = await developmentSession(repos, deps, params.token, false);
      const tenant = await repos.tenants.find(session.tenantId);
      return developmentPage({ tenantName: tenant?.name ?? '', status: session.status });
    });
    return { status: 200, body: html, headers };
  },

  devDecision: async ({ params, body }, ctx) => {
    const now = deps.clock.now();
    const session = await uow.transaction(async (repos) => {
      const session = await developmentSession(repos, deps, params.token, true);
      if (session.status !== 'pending') {
        throw new AppError('conflict', `This verification was ${session.status} already`);
      }
      return decideKycSession(repos, session, body.decision, {
        now,
        client: ctx.client,
        source: 'development',
      });
    });
    return {
      status: 200,
      body: {
        id: session.id,
        provider: session.provider,
        status: session.status,
        created_at: session.createdAt.toISOString(),
      },
    };
  },
});

/** The mock's test affordance and the server's tests: decide a session as its provider would. */
export async function decideKycSessionById(
  uow: UnitOfWork,
  sessionId: string,
  decision: 'approved' | 'rejected' | 'expired',
  now: Date,
  client: HandlerContext['client'] = { ip: null, userAgent: null },
): Promise<KycSessionRecord> {
  return uow.transaction(async (repos) => {
    const session = await repos.kyc.findSession(sessionId, { lock: true });
    if (!session) throw new AppError('not_found', 'No such verification session');
    return decideKycSession(repos, session, decision, { now, client, source: 'test' });
  });
}
