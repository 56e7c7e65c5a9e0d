import { describe, expect, it } from 'vitest';
import type { UserCaller } from '../caller.js';
import { webCryptoSealer } from '../mfa/sealer.js';
import { webCryptoRandom } from '../platform.js';
import { MemoryDatabase } from '../stores/memory/database.js';
import { ownerOfNewTenant, appErrorOf as refusal } from '../testing/memory-fixture.js';
import { type KycDeps, kycHandlers } from './handlers.js';

const client = { ip: null, userAgent: null };

function setup(options: Partial<KycDeps> = {}) {
  const db = new MemoryDatabase();
  const { tenant, caller, ctx } = ownerOfNewTenant(db);
  const deps: KycDeps = {
    sealer: webCryptoSealer(),
    clock: { now: () => new Date() },
    random: webCryptoRandom,
    apiBaseUrl: 'https://enforcer.example/api/v1/enforcer',
    allowDevelopmentProvider: true,
    ...options,
  };
  return { db, tenant, caller, ctx, deps, handlers: kycHandlers(db, deps) };
}

describe('kycHandlers', () => {
  it('refuses the development provider where it is not allowed (production), and its pages 404 there', async () => {
    const { handlers, tenant, ctx, db } = setup({ allowDevelopmentProvider: false });
    const error = await refusal(
      handlers.putSettings(
        { params: { id: tenant.id }, body: { enabled: true, provider: 'development' } },
        ctx,
      ),
    );
    expect(error.code).toBe('validation_failed');
    expect(await db.read((r) => r.kyc.settings(tenant.id))).toBeNull();

    // Settings written while it was allowed (or by hand) do not switch it on either.
    const allowed = setup();
    await allowed.handlers.putSettings(
      { params: { id: allowed.tenant.id }, body: { enabled: true, provider: 'development' } },
      allowed.ctx,
    );
    const session = await allowed.handlers.createSession({ body: {} }, allowed.ctx);
    const token = (session.body as { url: string }).url.split('/').pop()!;
    const production = kycHandlers(allowed.db, { ...allowed.deps, allowDevelopmentProvider: false });
    expect((await refusal(production.createSession({ body: {} }, allowed.ctx))).code).toBe('module_disabled');
    expect((await refusal(production.devPage({ params: { token } }, allowed.ctx))).code).toBe('not_found');
    expect(
      (
        await refusal(
          production.devDecision({ params: { token }, body: { decision: 'approved' } }, allowed.ctx),
        )
      ).code,
    ).toBe('not_found');
  });

  it('seals secrets bound to their tenant and field: a sealed value moved elsewhere does not open', async () => {
    const { handlers, tenant, ctx, db, deps } = setup();
    await handlers.putSettings(
      {
        params: { id: tenant.id },
        body: {
          enabled: true,
          provider: 'persona',
          template_id: 'itmpl_1',
          webhook_secret: 'wbhsec_bound_1',
        },
      },
      ctx,
    );
    const sealed = (await db.read((r) => r.kyc.settings(tenant.id)))!.webhookSecretSealed!;
    expect(sealed).not.toContain('wbhsec_bound_1');
    expect(await deps.sealer.open(sealed, `kyc:${tenant.id}:webhook_secret`)).toBe('wbhsec_bound_1');
    await expect(deps.sealer.open(sealed, `kyc:${webCryptoRandom.uuid()}:webhook_secret`)).rejects.toThrow();
    await expect(deps.sealer.open(sealed, `kyc:${tenant.id}:api_key`)).rejects.toThrow();
  });

  it("refuses an impersonation token: the verification is the person's and may carry to other tenants", async () => {
    const { handlers, tenant, ctx } = setup();
    await handlers.putSettings(
      { params: { id: tenant.id }, body: { enabled: true, provider: 'development' } },
      ctx,
    );
    const acting = {
      ...ctx,
      caller: { ...(ctx.caller as UserCaller), actorAccountId: webCryptoRandom.uuid() },
    };
    expect((await refusal(handlers.createSession({ body: {} }, acting))).code).toBe(
      'impersonation_not_allowed',
    );
  });

  it('a webhook without its raw body is refused before anything is read', async () => {
    const { handlers, ctx } = setup();
    const error = await refusal(
      handlers.webhook(
        { params: { provider: 'persona' }, headers: {}, body: {} },
        { ...ctx, caller: undefined },
      ),
    );
    expect(error.code).toBe('webhook_signature_invalid');
    // The development provider takes no webhooks at all.
    const dev = await refusal(
      handlers.webhook(
        { params: { provider: 'development' }, headers: {}, body: {} },
        { caller: undefined, client, rawBody: new Uint8Array() },
      ),
    );
    expect(dev.code).toBe('webhook_signature_invalid');
  });
});
