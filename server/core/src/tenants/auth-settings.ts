import { type AuthSettings, type AuthSettingsPatch, authSettingsSchema } from '@enforcer/contract';
import { importSPKI } from 'jose';
import { AppError } from '../errors.js';

/**
 * The tenant's sign-in method settings, as validated by the contract when they were written. A block that
 * no longer parses (the schema moved on) is left out, as if unconfigured.
 */
export function authSettingsOf(stored: Record<string, unknown> | null | undefined): AuthSettings {
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(stored ?? {})) {
    const parsed = authSettingsSchema.safeParse({ [key]: value });
    if (parsed.success) Object.assign(settings, parsed.data);
  }
  return settings as AuthSettings;
}

/**
 * `PATCH /tenants/{id}`'s `auth_settings` applied to the stored settings: each named block replaces that
 * method's settings, `null` removes it. What zod cannot check is checked here (the Privy key must be an EC
 * P-256 public key). Answers the new settings and the blocks that changed, for the audit event.
 */
export async function applyAuthSettingsPatch(
  stored: Record<string, unknown>,
  patch: AuthSettingsPatch,
): Promise<{ settings: Record<string, unknown>; changed: string[] }> {
  if (patch.privy) await assertPrivyKey(patch.privy.verification_key);
  const settings: Record<string, unknown> = { ...authSettingsOf(stored) };
  const changed: string[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value === null) delete settings[key];
    else settings[key] = value;
    changed.push(`auth_settings.${key}`);
  }
  return { settings, changed };
}

async function assertPrivyKey(pem: string): Promise<void> {
  try {
    // WebCrypto refuses a key of another type or curve for ES256 (P-256).
    await importSPKI(pem, 'ES256');
  } catch {
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
