// @vitest-environment jsdom
import { type MfaRequiredResult, type SignInResult, unwrap } from '@enforcer/sdk-js';
import { fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { EnforcerProvider, useSession } from '../src/index';
import { setupMockEnforcer } from './harness';

const h = setupMockEnforcer();

/** A sign-in form that asks for the second factor when the result says so: no try/catch for it. */
function SignIn({ email, tenantCode }: { email: string; tenantCode: string }) {
  const session = useSession();
  const [challenge, setChallenge] = useState<MfaRequiredResult>();
  const [code, setCode] = useState('');
  if (session.status === 'signed_in') return <p>signed in as {session.account.email}</p>;
  if (challenge) {
    return (
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          await challenge.verify({ code });
        }}
      >
        <input aria-label="authenticator code" value={code} onChange={(e) => setCode(e.target.value)} />
        <button type="submit">Verify ({challenge.methods.join(', ')})</button>
      </form>
    );
  }
  return (
    <button
      type="button"
      onClick={async () => {
        await session.requestOtp(email, { tenantCode });
        const result = await session.signInWithOtp({ email, otp: h.mock.lastOtp(email)!, tenantCode });
        if (result.status === 'mfa_required') setChallenge(result);
      }}
    >
      Sign in
    </button>
  );
}

/** Signs in with `signIn` (any login body) and hands the result over. */
function Probe(props: { email: string; tenantCode: string; onResult(result: SignInResult): void }) {
  const session = useSession();
  return (
    <button
      type="button"
      onClick={async () => {
        await session.requestOtp(props.email, { tenantCode: props.tenantCode });
        props.onResult(
          await session.signIn({
            provider: 'email_otp',
            email: props.email,
            otp: h.mock.lastOtp(props.email)!,
            tenant_code: props.tenantCode,
          }),
        );
      }}
    >
      {session.status}
    </button>
  );
}

describe('useSession sign-in results', () => {
  it('signInWithOtp answers mfa_required for a person with TOTP on; verify() signs in', async () => {
    const { tenant, email } = h.seedCustomer();
    const setup = h.client();
    await setup.requestOtp(email, { tenantCode: tenant.code });
    await setup.signInWithOtp({ email, otp: h.mock.lastOtp(email)!, tenantCode: tenant.code });
    const { secret } = await unwrap(setup.api.mfa.enroll());
    await unwrap(setup.api.mfa.confirm({ body: { code: await h.mock.totpCode(secret) } }));
    await setup.logout();
    h.clock.advance(30); // a code is accepted once: the next one is of a later step

    const enforcer = h.client();
    render(
      <EnforcerProvider client={enforcer}>
        <SignIn email={email} tenantCode={tenant.code} />
      </EnforcerProvider>,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Sign in' }));
    const submit = await screen.findByRole('button', { name: 'Verify (totp, recovery_code)' });
    expect(enforcer.getSnapshot().status).toBe('signed_out');
    fireEvent.change(screen.getByLabelText('authenticator code'), {
      target: { value: await h.mock.totpCode(secret) },
    });
    fireEvent.click(submit);
    expect(await screen.findByText(`signed in as ${email}`)).toBeDefined();
  });

  it('signIn answers signed_in with the session when no second factor is needed', async () => {
    const { tenant, email } = h.seedCustomer();
    const enforcer = h.client();
    let result: SignInResult | undefined;
    render(
      <EnforcerProvider client={enforcer}>
        <Probe email={email} tenantCode={tenant.code} onResult={(answer) => (result = answer)} />
      </EnforcerProvider>,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'signed_out' }));
    await screen.findByRole('button', { name: 'signed_in' });
    expect(result?.status).toBe('signed_in');
    expect(result?.status === 'signed_in' && result.session.account.email).toBe(email);
  });
});
