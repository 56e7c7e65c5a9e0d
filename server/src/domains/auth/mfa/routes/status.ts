import type { contract, MfaStatus } from '@enforcer/contract';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { authContext, requireUser } from '../../context.js';
import { TotpCredential } from '../entities.js';
import type { MfaService } from '../mfa-service.js';

/** The person's MFA state as `GET /auth/mfa` and `POST /auth/mfa/totp/disable` answer it. */
export async function mfaStatus(em: EntityManager, mfa: MfaService, personId: string): Promise<MfaStatus> {
  const totp = await em.findOne(TotpCredential, { person: personId });
  return {
    enabled: totp?.enabledAt != null,
    pending: totp != null && totp.enabledAt == null,
    enabled_at: totp?.enabledAt?.toISOString() ?? null,
    recovery_codes_remaining: totp?.enabledAt ? await mfa.recovery.remaining(em, personId) : 0,
  };
}

/** `GET /auth/mfa`. */
export const status: AppRouteImplementation<typeof contract.mfa.status> = async ({ request }) => {
  const user = requireUser(request);
  const { services, em } = authContext(request);
  return { status: 200, body: await mfaStatus(em, services.mfa, user.personId) };
};
