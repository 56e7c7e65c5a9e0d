import { createPublicKey } from 'node:crypto';
import {
  type AuthProvider,
  type AuthSettings,
  type AuthSettingsPatch,
  authSettingsSchema,
} from '@enforcer/contract';
import { AppError } from '../../../lib/errors.js';
import type { ITenant } from '../../tenants/entities.js';

type Method = keyof AuthSettings;

/**
 * The tenant's sign-in method settings (`tenant.auth_settings`), as validated by the contract when they
 * were written. A block that no longer parses (the schema moved on) is left out, as if unconfigured.
 */
export function authSettingsOf(tenant: Pick<ITenant, 'authSettings'>): AuthSettings {
  const stored = (tenant.authSettings ?? {}) as Record<string, unknown>;
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(stored)) {
    const parsed = authSettingsSchema.safeParse({ [key]: value });
    if (parsed.success) Object.assign(settings, parsed.data);
  }
  return settings as AuthSettings;
}

/** `403 provider_not_allowed` unless the tenant accepts `provider` (ceremony starts, linking). */
export function assertAcceptsMethod(tenant: Pick<ITenant, 'authProviders'>, provider: AuthProvider): void {
  if (!tenant.authProviders.includes(provider)) {
    throw new AppError('provider_not_allowed', `This tenant does not accept ${provider} sign-in`);
  }
}

/** The settings of `method`, or `403 provider_not_configured`. */
export function settingsFor<M extends Method>(
  tenant: Pick<ITenant, 'authSettings'>,
  method: M,
): NonNullable<AuthSettings[M]> {
  const block = authSettingsOf(tenant)[method];
  if (!block) {
    throw new AppError(
      'provider_not_configured',
      `This tenant accepts ${method} sign-in but has not configured it (PATCH /tenants/{id} auth_settings.${method})`,
    );
  }
  return block as NonNullable<AuthSettings[M]>;
}

/** The same as `settingsFor`, as a value or a refusal (for sign-in methods, which return failures). */
export function trySettingsFor<M extends Method>(
  tenant: Pick<ITenant, 'authSettings'>,
  method: M,
): { ok: true; settings: NonNullable<AuthSettings[M]> } | { ok: false; error: AppError } {
  try {
    return { ok: true, settings: settingsFor(tenant, method) };
  } catch (error) {
    return { ok: false, error: error as AppError };
  }
}

/**
 * Applies `PATCH /tenants/{id}`'s `auth_settings` to the tenant: each named block replaces that method's
 * settings, `null` removes it. What zod cannot check is checked here (the Privy key must be an EC P-256
 * public key). Returns the blocks that changed, for the audit event.
 */
export function applyAuthSettingsPatch(tenant: ITenant, patch: AuthSettingsPatch): string[] {
  if (patch.privy) assertPrivyKey(patch.privy.verification_key);
  const next: Record<string, unknown> = { ...authSettingsOf(tenant) };
  const changed: string[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) delete next[key];
    else next[key] = value;
    changed.push(`auth_settings.${key}`);
  }
  tenant.authSettings = next;
  return changed;
}

function assertPrivyKey(pem: string): void {
  let ok = false;
  try {
    const key = createPublicKey(pem);
    ok = key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new AppError('validation_failed', 'The Privy verification key is not an ES256 (P-256) public key', {
      errors: [
        {
          path: 'body.auth_settings.privy.verification_key',
          message: 'an EC P-256 public key in PEM (SPKI) form, as the Privy dashboard shows it',
        },
      ],
    });
  }
}
