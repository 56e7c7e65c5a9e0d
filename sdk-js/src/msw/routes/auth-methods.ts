import type { contract, authMethodRoutes as contractRoutes } from '@enforcer/contract';
import type { RouterImpl } from '../dispatch';
import { MockError } from '../problem';
import { iso } from '../store';
import { userOf } from './helpers';

/**
 * Passkeys, Google, Sign-In with Ethereum, Privy and linking are not in the mock yet: they answer
 * `403 provider_not_configured`, so a test that needs them talks to a real server;
 * `GET /auth/identities` lists the person's email. (Email and phone codes, passwords, MFA and magic
 * links are implemented: routes/auth.ts, routes/credentials.ts, methods/.)
 */
export const unsupportedMethod = (what: string) =>
  new MockError('provider_not_configured', `The Enforcer mock does not implement ${what}`);

const refuse = (what: string) => () => {
  throw unsupportedMethod(what);
};

export const authMethodRoutes: Pick<RouterImpl<typeof contract.auth>, keyof typeof contractRoutes> = {
  identities: (_request, ctx) => {
    const person = ctx.store.persons.get(userOf(ctx).account.personId);
    return {
      status: 200,
      body: {
        data: person?.email
          ? [
              {
                id: null,
                provider: 'email_otp' as const,
                subject: person.email,
                email: person.email,
                verified_at: person.emailVerified ? iso(person.createdAt) : null,
                created_at: iso(person.createdAt),
                last_used_at: null,
              },
            ]
          : [],
      },
    };
  },
  linkPhone: refuse('phone linking'),
  linkGoogle: refuse('Google linking'),
  linkSiwe: refuse('wallet linking'),
  linkPrivy: refuse('Privy linking'),
  unlinkIdentity: refuse('unlinking'),
  siweNonce: refuse('Sign-In with Ethereum'),
  passkeyRegisterBegin: refuse('passkeys'),
  passkeyRegisterFinish: refuse('passkeys'),
  passkeyLoginBegin: refuse('passkeys'),
  passkeyLoginFinish: refuse('passkeys'),
  passkeyCredentials: refuse('passkeys'),
  deletePasskey: refuse('passkeys'),
};
