import { type AuthProvider, type AuthSettings, authSettingsSchema } from '@enforcer/contract';
import { importSPKI } from 'jose';
import { MockError } from '../problem';
import type { MockStore, TenantRow } from '../store';

/**
 * The tenant's sign-in method settings (`PATCH /tenants/{id}` auth_settings), as the server's
 * server/src/domains/auth/methods/settings.ts: a block that does not parse counts as unconfigured.
 */
export function authSettingsOf(store: MockStore, tenantId: string): AuthSettings {
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(store.authSettings.get(tenantId) ?? {})) {
    const parsed = authSettingsSchema.safeParse({ [key]: value });
    if (parsed.success) Object.assign(settings, parsed.data);
  }
  return settings as AuthSettings;
}

/** The settings of `method`, or `403 provider_not_configured`. */
export function settingsFor<M extends keyof AuthSettings>(
  store: MockStore,
  tenant: TenantRow,
  method: M,
): NonNullable<AuthSettings[M]> {
  const block = authSettingsOf(store, tenant.id)[method];
  if (!block) {
    throw new MockError(
      'provider_not_configured',
      `This tenant accepts ${method} sign-in but has not configured it (PATCH /tenants/{id} auth_settings.${method})`,
    );
  }
  return block as NonNullable<AuthSettings[M]>;
}

/** The same as `settingsFor`, as a value or a refusal (for strategies, which return failures). */
export function trySettingsFor<M extends keyof AuthSettings>(
  store: MockStore,
  tenant: TenantRow,
  method: M,
): { ok: true; settings: NonNullable<AuthSettings[M]> } | { ok: false; reason: string; error: MockError } {
  try {
    return { ok: true, settings: settingsFor(store, tenant, method) };
  } catch (error) {
    return { ok: false, reason: 'not_configured', error: error as MockError };
  }
}

/** `403 provider_not_allowed` unless the tenant accepts `provider`. */
export function assertAcceptsMethod(tenant: TenantRow, provider: AuthProvider): void {
  if (!tenant.authProviders.includes(provider)) {
    throw new MockError('provider_not_allowed', `This tenant does not accept ${provider} sign-in`);
  }
}

/** Applies `auth_settings` of `PATCH /tenants/{id}`: a block replaces that method's, `null` removes it. */
export async function applyAuthSettingsPatch(
  store: MockStore,
  tenantId: string,
  patch: Record<string, unknown>,
): Promise<void> {
  const privy = patch.privy as { verification_key?: string } | null | undefined;
  if (privy?.verification_key) await assertPrivyKey(privy.verification_key);
  const next: Record<string, unknown> = { ...authSettingsOf(store, tenantId) };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) delete next[key];
    else next[key] = value;
  }
  store.authSettings.set(tenantId, next);
}

async function assertPrivyKey(pem: string): Promise<void> {
  try {
    await importSPKI(pem, 'ES256');
  } catch {
    throw new MockError(
      'validation_failed',
      'The Privy verification key is not an ES256 (P-256) public key',
      {
        errors: [
          {
            path: 'body.auth_settings.privy.verification_key',
            message: 'an EC P-256 public key in PEM (SPKI) form, as the Privy dashboard shows it',
          },
        ],
      },
    );
  }
}

export const unsupportedMethod = (what: string) =>
  new MockError('provider_not_configured', `The Enforcer mock does not implement ${what}`);
