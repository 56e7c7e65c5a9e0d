import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { AppError } from '../../../../lib/errors.js';
import { recordAudit } from '../../../audit/record-audit.js';
import { Person } from '../../../identity/entities.js';
import { Tenant } from '../../../tenants/entities.js';
import { authContext, requireUser } from '../../context.js';
import { TotpCredential } from '../entities.js';

/**
 * `POST /auth/mfa/totp/enroll`: a new secret (160 bits from the CSPRNG), stored sealed and pending until
 * a code confirms it. Starting again replaces a pending secret; an enabled one must be disabled first.
 * The answer is the only time the secret leaves the server.
 */
export const enroll: AppRouteImplementation<typeof contract.mfa.enroll> = async ({ request }) => {
  const user = requireUser(request);
  const { services, em, client } = authContext(request);
  const mfa = services.mfa;
  const now = services.clock.now();
  const { secret, person, tenant } = await em.transactional(async (tx) => {
    const person = await tx.findOneOrFail(Person, user.personId);
    const tenant = await tx.findOneOrFail(Tenant, user.tenantId);
    await tx.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`enforcer:totp:${person.id}`]);
    const existing = await tx.findOne(TotpCredential, { person: person.id });
    if (existing?.enabledAt) {
      throw new AppError(
        'conflict',
        'Two-step verification is already on: disable it before enrolling again',
      );
    }
    const secret = mfa.totp.newSecret();
    const sealed = mfa.totp.seal(person.id, secret);
    if (existing) {
      existing.secretSealed = sealed;
      existing.lastUsedStep = null;
      existing.createdAt = now;
    } else {
      tx.create(TotpCredential, {
        id: services.random.uuid(),
        person,
        secretSealed: sealed,
        lastUsedStep: null,
        createdAt: now,
        enabledAt: null,
      });
    }
    recordAudit(tx, services.clock, {
      action: 'auth.mfa.enrollment_started',
      actor: { type: 'account', id: user.accountId },
      tenantId: user.tenantId,
      target: { type: 'person', id: person.id },
      ...client,
      details: { method: 'totp' },
    });
    return { secret, person, tenant };
  });
  const label = person.email ?? person.id;
  return { status: 200, body: await mfa.totp.enrollment(secret, tenant.name, label) };
};
