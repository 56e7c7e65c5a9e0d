import { c, problems, routeMeta } from '../common/route';
import { idParamsSchema, listOf } from '../common/schemas';
import { linkGoogleBodySchema } from './google';
import { identityListSchema, identitySchema } from './identities';
import {
  passkeyCredentialSchema,
  passkeyLoginBeginBodySchema,
  passkeyLoginBeginResponseSchema,
  passkeyLoginFinishBodySchema,
  passkeyRegisterBeginBodySchema,
  passkeyRegisterBeginResponseSchema,
  passkeyRegisterFinishBodySchema,
} from './passkey';
import { linkPhoneBodySchema } from './phone';
import { linkPrivyBodySchema } from './privy';
import { tokenResponseSchema } from './schemas';
import { linkSiweBodySchema, siweNonceBodySchema, siweNonceResponseSchema } from './siwe';

const meta = routeMeta('Auth');

const linkResponses = {
  /** Newly linked. */
  201: identitySchema,
  /** Already linked to you: nothing changed. */
  200: identitySchema,
  ...problems(401, 403, 409),
};

/**
 * The routes of the sign-in methods beyond email codes and of linked identities, spread into
 * `authContract` (so they are `contract.auth.*`, under `/auth`).
 */
export const authMethodRoutes = c.router({
  identities: {
    method: 'GET',
    path: '/auth/identities',
    summary: "List the signed-in person's sign-in methods (email, phone, Google, wallets, Privy, passkeys)",
    responses: { 200: identityListSchema, ...problems(401, 403) },
    metadata: meta({ auth: 'user' }),
  },
  linkPhone: {
    method: 'POST',
    path: '/auth/identities/phone',
    summary: 'Link a phone number, proven by a code from `POST /auth/otp/request` (without a tenant code)',
    body: linkPhoneBodySchema,
    responses: linkResponses,
    metadata: meta({ auth: 'user' }),
  },
  linkGoogle: {
    method: 'POST',
    path: '/auth/identities/google',
    summary: "Link a Google account (an ID token for one of the tenant's client ids)",
    body: linkGoogleBodySchema,
    responses: linkResponses,
    metadata: meta({ auth: 'user' }),
  },
  linkSiwe: {
    method: 'POST',
    path: '/auth/identities/siwe',
    summary: 'Link an Ethereum wallet (a signed Sign-In with Ethereum message)',
    body: linkSiweBodySchema,
    responses: linkResponses,
    metadata: meta({ auth: 'user' }),
  },
  linkPrivy: {
    method: 'POST',
    path: '/auth/identities/privy',
    summary: "Link a Privy user (a Privy access token of the tenant's app)",
    body: linkPrivyBodySchema,
    responses: linkResponses,
    metadata: meta({ auth: 'user' }),
  },
  unlinkIdentity: {
    method: 'DELETE',
    path: '/auth/identities/:id',
    summary: 'Unlink a phone, Google account, wallet or Privy user (never the last sign-in method)',
    pathParams: idParamsSchema,
    body: c.noBody(),
    responses: { 204: c.noBody(), ...problems(401, 403, 404, 409) },
    metadata: meta({ auth: 'user' }),
  },
  siweNonce: {
    method: 'POST',
    path: '/auth/siwe/nonce',
    summary: 'A single-use nonce for a Sign-In with Ethereum message to the tenant',
    body: siweNonceBodySchema,
    responses: { 200: siweNonceResponseSchema, ...problems(403, 404) },
    metadata: meta({ auth: 'none' }),
  },
  passkeyRegisterBegin: {
    method: 'POST',
    path: '/auth/passkey/register/begin',
    summary: 'Start creating a passkey for the signed-in person (WebAuthn creation options)',
    body: passkeyRegisterBeginBodySchema,
    responses: { 200: passkeyRegisterBeginResponseSchema, ...problems(401, 403) },
    metadata: meta({ auth: 'user' }),
  },
  passkeyRegisterFinish: {
    method: 'POST',
    path: '/auth/passkey/register/finish',
    summary: "Finish creating a passkey (the authenticator's attestation)",
    body: passkeyRegisterFinishBodySchema,
    responses: { 201: passkeyCredentialSchema, ...problems(401, 403, 409) },
    metadata: meta({ auth: 'user' }),
  },
  passkeyLoginBegin: {
    method: 'POST',
    path: '/auth/passkey/login/begin',
    summary: 'Start signing in with a passkey (WebAuthn request options)',
    description:
      "Without `email`: discoverable credentials. With `email`: that person's passkeys, and a list of the same shape for an unknown email.",
    body: passkeyLoginBeginBodySchema,
    responses: { 200: passkeyLoginBeginResponseSchema, ...problems(403, 404) },
    metadata: meta({ auth: 'none' }),
  },
  passkeyLoginFinish: {
    method: 'POST',
    path: '/auth/passkey/login/finish',
    summary: 'Finish signing in with a passkey (the same as `POST /auth/login` with `provider: passkey`)',
    body: passkeyLoginFinishBodySchema,
    responses: { 200: tokenResponseSchema, ...problems(401, 403, 404) },
    metadata: meta({ auth: 'none' }),
  },
  passkeyCredentials: {
    method: 'GET',
    path: '/auth/passkey/credentials',
    summary: "List the signed-in person's passkeys",
    responses: { 200: listOf(passkeyCredentialSchema), ...problems(401, 403) },
    metadata: meta({ auth: 'user' }),
  },
  deletePasskey: {
    method: 'DELETE',
    path: '/auth/passkey/credentials/:id',
    summary: 'Delete one of your passkeys (never the last sign-in method)',
    pathParams: idParamsSchema,
    body: c.noBody(),
    responses: { 204: c.noBody(), ...problems(401, 403, 404, 409) },
    metadata: meta({ auth: 'user' }),
  },
});
