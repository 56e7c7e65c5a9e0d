import {
  SessionLoading,
  SignedIn,
  SignedOut,
  useCan,
  useEnforcer,
  useSession,
  useTenants,
} from '@enforcer/react';
import { isEnforcerError, type MfaRequiredResult } from '@enforcer/sdk-js';
import { type FormEvent, useEffect, useState } from 'react';
import { type DemoBank, fetchBanks, setKyc } from './demo-api';

export function App() {
  const [banks, setBanks] = useState<DemoBank[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    fetchBanks().then(setBanks, (e: Error) => setError(e.message));
  }, []);

  if (error) {
    return (
      <main className="shell">
        <section className="card error" role="alert">
          <h2>The demo backend is not ready</h2>
          <p>{error}</p>
        </section>
      </main>
    );
  }
  if (!banks) return <main className="shell">Loading…</main>;
  return (
    <main className="shell">
      <SessionLoading>
        <p className="muted">Restoring your session…</p>
      </SessionLoading>
      <SignedOut>
        <SignIn banks={banks} />
      </SignedOut>
      <SignedIn>
        <Bank banks={banks} />
      </SignedIn>
    </main>
  );
}

const messageOf = (error: unknown) =>
  isEnforcerError(error)
    ? `${error.message} (${error.code})`
    : error instanceof Error
      ? error.message
      : String(error);

function SignIn({ banks }: { banks: DemoBank[] }) {
  const session = useSession();
  const enforcer = useEnforcer();
  const [bank, setBank] = useState(banks[0]!.code);
  const [email, setEmail] = useState('');
  const [otp, setOtp] = useState('');
  const [devCode, setDevCode] = useState<string>();
  const [step, setStep] = useState<'email' | 'code' | 'mfa'>('email');
  // Set when the person has two-step verification on: the sign-in waits for their authenticator's code.
  const [challenge, setChallenge] = useState<MfaRequiredResult>();
  const [mfaCode, setMfaCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      if (step === 'email') {
        const answer = await session.requestOtp(email, { tenantCode: bank });
        setDevCode(answer.code);
        setOtp(answer.code ?? '');
        setStep('code');
      } else if (step === 'code') {
        const result = await session.signInWithOtp({ email, otp, tenantCode: bank });
        if (result.status === 'mfa_required') {
          setChallenge(result);
          setStep('mfa');
        }
      } else if (challenge) {
        await challenge.verify({ code: mfaCode });
      }
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  // A discoverable passkey: no email typed, the authenticator offers the ones it holds for the site.
  const signInWithPasskey = async () => {
    if (!enforcer) return;
    setBusy(true);
    setError(undefined);
    try {
      await (await enforcer.passkeys()).signIn({ tenantCode: bank });
    } catch (e) {
      setError(messageOf(e));
      setBusy(false);
    }
  };

  return (
    <section className="card narrow">
      <h1>
        <span className="logo">◆</span> Northwind Bank
      </h1>
      <p className="muted">Sign in with a one-time code sent to your email.</p>
      <form onSubmit={submit} className="stack">
        <label>
          Bank
          <select value={bank} onChange={(e) => setBank(e.target.value)} disabled={step !== 'email'}>
            {banks.map((b) => (
              <option key={b.code} value={b.code}>
                {b.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Email
          <input
            type="email"
            required
            autoComplete="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            disabled={step !== 'email'}
            placeholder="you@example.com"
          />
        </label>
        {step === 'code' && (
          <label>
            One-time code
            <input inputMode="numeric" required value={otp} onChange={(e) => setOtp(e.target.value)} />
          </label>
        )}
        {step === 'mfa' && (
          <label>
            Authenticator code
            <input
              inputMode="numeric"
              autoComplete="one-time-code"
              required
              value={mfaCode}
              onChange={(e) => setMfaCode(e.target.value)}
            />
          </label>
        )}
        {devCode && step === 'code' && (
          <p className="hint" data-testid="dev-code">
            Development server: your code is <strong>{devCode}</strong> (also in the server log). A production
            server only emails it.
          </p>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {step === 'email' ? 'Send code' : step === 'code' ? 'Sign in' : 'Verify'}
        </button>
        {step === 'email' && (
          <button type="button" className="secondary" disabled={busy} onClick={signInWithPasskey}>
            Sign in with a passkey
          </button>
        )}
      </form>
    </section>
  );
}

function Bank({ banks }: { banks: DemoBank[] }) {
  const session = useSession();
  if (session.status !== 'signed_in') return null;
  return (
    <>
      <header className="topbar">
        <span className="brand">
          <span className="logo">◆</span> {session.tenant.name}
        </span>
        <span className="user">
          <span className="muted">{session.account.email}</span>
          <button type="button" className="secondary" onClick={() => session.logout()}>
            Sign out
          </button>
        </span>
      </header>
      <TenantSwitcher banks={banks} />
      <div className="grid">
        <section className="card">
          <h2>Current account</h2>
          <p className="balance">€12,480.00</p>
          <p className="muted">IBAN NW12 0000 4821 0099 13</p>
        </section>
        <Kyc />
        <Transfer />
        <Passkeys />
      </div>
      <BehindTheScenes />
    </>
  );
}

/** What the hooks say, for the curious: the session and the local decision. */
function BehindTheScenes() {
  const session = useSession();
  const transfers = useCan('transfers.create');
  if (session.status !== 'signed_in') return null;
  return (
    <section className="card scenes">
      <h2>Behind the scenes</h2>
      <dl>
        <dt>tenant</dt>
        <dd>
          {session.tenant.name} <code>{session.tenant.code}</code>
        </dd>
        <dt>role</dt>
        <dd>
          <code>{session.roles.join(', ')}</code>
        </dd>
        <dt>groups</dt>
        <dd>
          <code>{session.groups.length ? session.groups.join(', ') : '(none)'}</code>
        </dd>
        <dt>useCan('transfers.create')</dt>
        <dd>
          <code>{transfers.status}</code>, decided in the browser by the tenant's policy (the{' '}
          <code>verified</code> group grants <code>transfers.*</code>)
        </dd>
      </dl>
    </section>
  );
}

function TenantSwitcher({ banks }: { banks: DemoBank[] }) {
  const { tenants, currentTenantId, switchTenant, joinTenant, switchingTo } = useTenants();
  const [error, setError] = useState<string>();
  const joinable = banks.filter((bank) => !tenants.some((m) => m.tenant.id === bank.id));
  const run = (action: Promise<unknown>) => {
    setError(undefined);
    action.catch((e) => setError(messageOf(e)));
  };
  return (
    <nav className="switcher">
      <span className="muted">Your banks</span>
      <select
        aria-label="Switch bank"
        value={currentTenantId ?? ''}
        disabled={switchingTo !== null}
        onChange={(e) => run(switchTenant(e.target.value))}
      >
        {tenants.map((m) => (
          <option key={m.tenant.id} value={m.tenant.id}>
            {m.tenant.name}
          </option>
        ))}
      </select>
      {joinable.map((bank) => (
        <button key={bank.id} type="button" className="secondary" onClick={() => run(joinTenant(bank.code))}>
          + Join {bank.name}
        </button>
      ))}
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </nav>
  );
}

function Kyc() {
  const session = useSession();
  const enforcer = useEnforcer();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  if (session.status !== 'signed_in') return null;
  const verified = session.groups.includes('verified');

  const mark = async (passed: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      const token = await enforcer?.getAccessToken();
      if (!token) throw new Error('Sign in first');
      await setKyc(token, passed);
      // Enforcer does not push group changes to browsers: ask for the current permissions.
      await session.reloadPermissions();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card">
      <h2>Identity (KYC)</h2>
      <p className={verified ? 'ok' : 'warn'} data-testid="kyc-status">
        {verified ? '✓ Verified' : 'Not verified yet'}
      </p>
      <div className="admin">
        <p className="muted small">
          Demo admin action: the demo backend adds you to the bank's <code>verified</code> group with its API
          key, as your KYC provider's webhook would.
        </p>
        {verified ? (
          <button type="button" className="secondary" disabled={busy} onClick={() => mark(false)}>
            Revoke KYC
          </button>
        ) : (
          <button type="button" disabled={busy} onClick={() => mark(true)}>
            Mark KYC passed
          </button>
        )}
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </div>
    </section>
  );
}

/** Adds a passkey on this device, for signing in next time without a code. */
function Passkeys() {
  const enforcer = useEnforcer();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();

  const add = async () => {
    if (!enforcer) return;
    setBusy(true);
    setMessage(undefined);
    setError(undefined);
    try {
      const passkey = await (await enforcer.passkeys()).register({ name: 'Banking demo' });
      setMessage(`Passkey added (${passkey.name ?? passkey.id}).`);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card">
      <h2>Passkeys</h2>
      <p className="muted small">Sign in next time with this device's screen lock instead of a code.</p>
      <button type="button" className="secondary" disabled={busy} onClick={add}>
        Add a passkey
      </button>
      {message && (
        <p className="ok" data-testid="passkey-status">
          {message}
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

function Transfer() {
  const gate = useCan('transfers.create');
  const enforcer = useEnforcer();
  const [amount, setAmount] = useState('250.00');
  const [to, setTo] = useState('NW98 0000 1234 5678 90');
  const [result, setResult] = useState<string>();

  const send = async (event: FormEvent) => {
    event.preventDefault();
    if (!enforcer) return;
    // The browser's answer only shapes the UI. Your backend decides again before moving money;
    // here the server's POST /authorize stands in for it (same policy, same answer).
    const { status, body } = await enforcer.api.policy.authorize({ body: { action: 'transfers.create' } });
    setResult(
      status === 200 && body.allowed
        ? `Sent €${amount} to ${to}. Server check: allowed (${body.reason.kind}).`
        : 'The server refused the transfer.',
    );
  };

  return (
    <section className="card" data-gate={gate.status}>
      <h2>Transfer money</h2>
      <form onSubmit={send} className="stack">
        <label>
          To (IBAN)
          <input value={to} onChange={(e) => setTo(e.target.value)} disabled={!gate.allowed} />
        </label>
        <label>
          Amount (€)
          <input value={amount} onChange={(e) => setAmount(e.target.value)} disabled={!gate.allowed} />
        </label>
        <button type="submit" disabled={!gate.allowed} aria-busy={gate.loading}>
          {gate.loading ? 'Checking…' : gate.allowed ? 'Transfer' : '🔒 Transfer'}
        </button>
      </form>
      {gate.status === 'denied' && (
        <p className="muted small">Transfers unlock once your identity is verified.</p>
      )}
      {gate.status === 'error' && <p className="error">Your permissions could not be loaded.</p>}
      {result && (
        <p className="ok result" role="status">
          {result}
        </p>
      )}
    </section>
  );
}
