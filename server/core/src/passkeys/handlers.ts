import type { contract } from '@enforcer/contract';
import { callerOf, type Handler, type HandlerContext } from '../api/handlers.js';
import { auditActorOf, refuseImpersonation, type UserCaller } from '../caller.js';
import { AppError } from '../errors.js';
import type { UnitOfWork } from '../store.js';
import {
  acceptedSettings,
  assertNotLastMethod,
  isChallenge,
  type PasskeyDeps,
  passkeyKit,
  toPasskeyCredential,
} from './rules.js';
import { type CredentialDescriptor, PASSKEY_CHALLENGE_TTL_SECONDS, relyingParty } from './webauthn.js';

type Auth = typeof contract.auth;

/** The passkey routes of `contract.auth` the core answers (login finish is the login flow's). */
export interface PasskeyHandlers {
  passkeyRegisterBegin: Handler<Auth['passkeyRegisterBegin']>;
  passkeyRegisterFinish: Handler<Auth['passkeyRegisterFinish']>;
  passkeyLoginBegin: Handler<Auth['passkeyLoginBegin']>;
  passkeyCredentials: Handler<Auth['passkeyCredentials']>;
  deletePasskey: Handler<Auth['deletePasskey']>;
}

const userOf = (ctx: HandlerContext): UserCaller => {
  const caller = callerOf(ctx);
  if (caller.kind !== 'user')
    throw new AppError('credential_not_allowed', 'This call needs a signed-in user');
  refuseImpersonation(caller, "manage the person's passkeys");
  return caller;
};

const descriptor = (row: { credentialId: string; transports: string[] }): CredentialDescriptor => ({
  id: row.credentialId,
  transports: [...row.transports],
});

const challengeInvalid = () =>
  new AppError('challenge_invalid', 'The challenge is unknown, already used or expired: begin again');
const notVerified = () => new AppError('invalid_credentials', 'The passkey could not be verified');

/**
 * Passkey registration, sign-in options and management. Challenges are 32 random bytes, stored hashed,
 * bound to the tenant (and, for registration, the person), single use, five minutes.
 */
export function passkeyHandlers(uow: UnitOfWork, deps: PasskeyDeps): PasskeyHandlers {
  const kit = passkeyKit(deps);
  return {
    /**
     * `POST /auth/passkey/register/begin`: creation options for the tenant's relying party. The WebAuthn
     * user id is the person id (an authenticator replaces, not piles up, the person's passkey for this
     * site); their existing passkeys for it are excluded.
     */
    passkeyRegisterBegin: async ({ body }, ctx) => {
      const user = userOf(ctx);
      const issued = await uow.transaction(async (repos) => {
        const tenant = await repos.tenants.find(user.tenantId);
        if (!tenant) throw new AppError('not_found', 'Your tenant no longer exists');
        const rp = relyingParty(tenant, acceptedSettings(tenant));
        const person = await repos.persons.find(user.personId);
        if (!person) throw new AppError('not_found', 'Your person record no longer exists');
        const existing = await repos.passkeys.ofPerson(person.id, rp.id);
        const challenge = await kit.challenges.issue(repos.challenges, {
          purpose: 'passkey_register',
          ttlSeconds: PASSKEY_CHALLENGE_TTL_SECONDS,
          encoding: 'base64url',
          tenantId: tenant.id,
          personId: person.id,
          data: body.name ? { name: body.name } : null,
        });
        const name = person.email ?? `${tenant.name} user ${person.id.slice(0, 8)}`;
        return { challenge, rp, name, person, exclude: existing.map(descriptor) };
      });
      const options = await kit.webauthn.registrationOptions({
        rp: issued.rp,
        user: { id: issued.person.id, name: issued.name },
        challenge: issued.challenge.value,
        exclude: issued.exclude,
      });
      return {
        status: 200,
        body: {
          challenge_id: issued.challenge.id,
          options: options as never,
          expires_at: issued.challenge.expiresAt.toISOString(),
        },
      };
    },

    /**
     * `POST /auth/passkey/register/finish`: the attestation against the challenge (spent now, whatever the
     * outcome), the tenant's origins and relying party id, user presence and verification; stores the
     * credential. A credential id registered before is `409 conflict`. Failures are audited
     * (`auth.passkey.register_failed` with a reason) and answer `401 invalid_credentials`
     * (`challenge_invalid` for an unknown, used, expired or foreign challenge).
     */
    passkeyRegisterFinish: async ({ body }, ctx) => {
      const user = userOf(ctx);
      const outcome = await uow.transaction(async (repos) => {
        const tenant = await repos.tenants.find(user.tenantId);
        if (!tenant) throw new AppError('not_found', 'Your tenant no longer exists');
        const rp = relyingParty(tenant, acceptedSettings(tenant));
        const failed = (reason: string, error: AppError) => {
          repos.audit.record({
            action: 'auth.passkey.register_failed',
            actor: auditActorOf(user),
            tenantId: tenant.id,
            target: { type: 'person', id: user.personId },
            ...ctx.client,
            details: { reason, rp_id: rp.id },
          });
          return { ok: false as const, error };
        };
        const challenge = await kit.challenges.consumeById(repos.challenges, body.challenge_id, {
          purpose: 'passkey_register',
          tenantId: tenant.id,
          personId: user.personId,
        });
        if (!challenge) return failed('challenge_invalid', challengeInvalid());
        const verified = await kit.webauthn.verifyRegistration({
          response: body.credential,
          rp,
          expectedChallenge: isChallenge(kit.hashing, challenge.valueHash),
        });
        if (!verified.ok) return failed(verified.reason, notVerified());
        const duplicate = () =>
          failed('duplicate_credential', new AppError('conflict', 'This passkey is already registered'));
        if (await repos.passkeys.findByCredentialId(verified.credentialId)) return duplicate();
        const storedName = typeof challenge.data?.name === 'string' ? challenge.data.name : null;
        const credential = await repos.passkeys.create({
          personId: user.personId,
          credentialId: verified.credentialId,
          publicKey: verified.publicKey,
          counter: verified.counter,
          transports: [...(verified.transports ?? body.credential.response.transports ?? [])],
          deviceType: verified.deviceType,
          backedUp: verified.backedUp,
          rpId: rp.id,
          aaguid: verified.aaguid,
          name: body.name ?? storedName,
          createdAt: kit.clock.now(),
          lastUsedAt: null,
        });
        if (!credential) return duplicate();
        repos.audit.record({
          action: 'auth.passkey.registered',
          actor: auditActorOf(user),
          tenantId: tenant.id,
          target: { type: 'passkey_credential', id: credential.id },
          ...ctx.client,
          details: { rp_id: rp.id, device_type: credential.deviceType, aaguid: credential.aaguid },
        });
        return { ok: true as const, credential };
      });
      // Raised after the unit of work: the spent challenge and the audit event commit with the failure.
      if (!outcome.ok) throw outcome.error;
      return { status: 201, body: toPasskeyCredential(outcome.credential) };
    },

    /**
     * `POST /auth/passkey/login/begin`: request options for the tenant's relying party. Without `email`, no
     * `allowCredentials`: the authenticator offers its discoverable credentials. With `email`, the person's
     * passkeys for this relying party; an email with none (or nobody's) gets one stand-in credential id
     * derived from the email under a secret key, so the answer has the same shape and is stable.
     */
    passkeyLoginBegin: async ({ body }, _ctx) => {
      const issued = await uow.transaction(async (repos) => {
        const tenant = await repos.tenants.findByCode(body.tenant_code);
        if (!tenant) throw new AppError('not_found', 'No tenant has this code');
        const rp = relyingParty(tenant, acceptedSettings(tenant));
        let allow: CredentialDescriptor[] | undefined;
        if (body.email) {
          const person = await repos.persons.findByEmail(body.email);
          const credentials = person ? await repos.passkeys.ofPerson(person.id, rp.id) : [];
          allow =
            credentials.length > 0
              ? credentials.map(descriptor)
              : [
                  {
                    id: await kit.hashing.hmacSha256(
                      kit.decoyKey,
                      `passkey-decoy/v1\n${tenant.id}\n${body.email}`,
                    ),
                    transports: ['internal', 'hybrid'],
                  },
                ];
        }
        const challenge = await kit.challenges.issue(repos.challenges, {
          purpose: 'passkey_login',
          ttlSeconds: PASSKEY_CHALLENGE_TTL_SECONDS,
          encoding: 'base64url',
          tenantId: tenant.id,
        });
        return { challenge, rp, allow };
      });
      const options = await kit.webauthn.authenticationOptions({
        rp: issued.rp,
        challenge: issued.challenge.value,
        allow: issued.allow,
      });
      return {
        status: 200,
        body: {
          challenge_id: issued.challenge.id,
          options: options as never,
          expires_at: issued.challenge.expiresAt.toISOString(),
        },
      };
    },

    /** `GET /auth/passkey/credentials`: the signed-in person's passkeys (every relying party), oldest first. */
    passkeyCredentials: async (_request, ctx) => {
      const user = userOf(ctx);
      const rows = await uow.read((repos) => repos.passkeys.ofPerson(user.personId));
      return { status: 200, body: { data: rows.map(toPasskeyCredential) } };
    },

    /**
     * `DELETE /auth/passkey/credentials/{id}`: one of the signed-in person's passkeys (another person's id is
     * a 404), never the last way to sign in (`409 last_identity`).
     */
    deletePasskey: async ({ params }, ctx) => {
      const user = userOf(ctx);
      await uow.transaction(async (repos) => {
        await repos.passkeys.lockOwner(user.personId);
        const credential = await repos.passkeys.find(params.id);
        if (!credential || credential.personId !== user.personId) {
          throw new AppError('not_found', 'You have no passkey with this id');
        }
        await assertNotLastMethod(repos, user.personId);
        await repos.passkeys.delete(credential.id);
        repos.audit.record({
          action: 'auth.passkey.deleted',
          actor: auditActorOf(user),
          tenantId: user.tenantId,
          target: { type: 'passkey_credential', id: credential.id },
          ...ctx.client,
          details: { provider: 'passkey', person_id: user.personId, rp_id: credential.rpId },
        });
      });
      return { status: 204, body: undefined };
    },
  };
}
