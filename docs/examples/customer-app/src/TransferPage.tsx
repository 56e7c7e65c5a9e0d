// The page a customer builds: a sign-in form when signed out, and a transfer button that unlocks once
// the person passed KYC (joined the tenant's `verified` group).
import { Can, SessionLoading, SignedIn, SignedOut, useEnforcer, useSession } from '@enforcer/react';
import { useState } from 'react';

export function TransferPage() {
  const session = useSession();
  return (
    <main>
      <SessionLoading>
        <p>Loading…</p>
      </SessionLoading>
      <SignedOut>
        <SignInForm />
      </SignedOut>
      <SignedIn>
        <p>Signed in as {session.status === 'signed_in' ? session.account.email : ''}</p>
        <Can action="transfers.create" fallback={<p>Verify your identity to send money.</p>}>
          <button type="button">Send money</button>
        </Can>
      </SignedIn>
    </main>
  );
}

function SignInForm() {
  const enforcer = useEnforcer();
  const [email, setEmail] = useState('');
  const [code, setCode] = useState('');
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      onSubmit={async (event) => {
        event.preventDefault();
        setError(null);
        if (!enforcer) return; // server render or hydration: no client yet
        try {
          if (!sent) {
            await enforcer.requestOtp(email);
            setSent(true);
          } else {
            const result = await enforcer.signInWithOtp({ email, otp: code });
            if (result.status === 'mfa_required') setError('Two-step verification is required.');
          }
        } catch {
          setError('That did not work. Check the code and try again.');
        }
      }}
    >
      <label>
        Email
        <input value={email} onChange={(event) => setEmail(event.target.value)} />
      </label>
      {sent && (
        <label>
          Code
          <input value={code} onChange={(event) => setCode(event.target.value)} />
        </label>
      )}
      <button type="submit">{sent ? 'Sign in' : 'Send me a code'}</button>
      {error && <p role="alert">{error}</p>}
    </form>
  );
}
