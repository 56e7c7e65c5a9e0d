import type { contract } from '@enforcer/contract';
import { AppError, type Handler, provisionTenant, webCryptoRandom } from '@enforcer/core';
import { checkOtp } from '../methods/otp';
import type { MockStore } from '../store';
import type { MockTokens } from '../tokens';

/**
 * `POST /tenants/self-serve`, the one tenants route not in the core's handlers (it proves an email and
 * signs the owner in, which the mock's sign-in code still does): the core provisions the tenant.
 */
export const selfServeTenant =
  (store: MockStore, tokens: MockTokens): Handler<typeof contract.tenants.selfServe> =>
  async ({ body }, { caller }) => {
    // Proof of admin_email: a one-time code (requested without a tenant code) or a session of that person.
    let amr: string[];
    if (body.otp !== undefined) {
      const check = await checkOtp(
        store,
        { purpose: 'verify_email', email: body.admin_email, tenantId: null },
        body.otp,
      );
      if (!check.ok) throw check.error;
      amr = ['otp'];
    } else {
      const signedIn = caller?.kind === 'user' ? store.persons.get(caller.personId) : undefined;
      if (!signedIn || signedIn.email !== body.admin_email || !signedIn.emailVerified) {
        throw new AppError(
          'unauthenticated',
          'Prove admin_email: send an otp from POST /auth/otp/request (without tenant_code), or sign in',
        );
      }
      amr = [...(caller?.kind === 'user' ? (caller.amr ?? []) : [])];
    }
    const tenant = await store.db.transaction((repos) =>
      provisionTenant(repos, webCryptoRandom, {
        name: body.name,
        authProviders: ['email_otp'],
        allowSignup: true,
      }),
    );
    const person = store.ensurePerson(body.admin_email, true);
    const account = store.createAccount(person.id, tenant.id, 'owner');
    return { status: 201, body: await tokens.signIn(account, amr) };
  };
