import {
  SessionLoading,
  SignedIn,
  SignedOut,
  useCan,
  useEnforcer,
  useOAuthCallback,
  useSession,
  useTenants,
} from '@enforcer/react';
import { type Enforcer, isEnforcerError, type MfaRequiredResult } from '@enforcer/sdk-js';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { type DemoBank, type DemoConfig, type DemoOAuth, fetchConfig } from './demo-api';

/** Where the social sign-in comes back to (the demo backend registers it on the banks' allow-lists). */
const OAUTH_CALLBACK_PATH = '/oauth/callback';

export function App() {
  const [config, setConfig] = useState<DemoConfig>();
  const [error, setError] = useState<string>();
  // One page, two places: the bank, and the social sign-in's callback.
  const [path, setPath] = useState(() => window.location.pathname);
  useEffect(() => {
    fetchConfig().then(setConfig, (e: Error) => setError(e.message));
  }, []);

  if (path === OAUTH_CALLBACK_PATH) {
    return (
      <main className="shell">
        <OAuthReturn
          onDone={() => {
            window.history.replaceState(null, '', '/');
            setPath('/');
          }}
        />
      </main>
    );
  }

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
  if (!config) return <main className="shell">Loading…</main>;
  return (
    <main className="shell">
      <SessionLoading>
        <p className="muted">Restoring your session…</p>
      </SessionLoading>
      <SignedOut>
        <SignIn banks={config.banks} oauth={config.oauth} />
      </SignedOut>
      <SignedIn>
        <Bank banks={config.banks} />
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

/**
 * The social sign-in's way back: the provider sent the browser to Enforcer's callback, which sent it here with
 * a one-time code; `useOAuthCallback` trades it (`POST /auth/oauth/exchange`) for the session, once.
 */
function OAuthReturn({ onDone }: { onDone: () => void }) {
  const callback = useOAuthCallback();
  const [code, setCode] = useState('');
  const [error, setError] = useState<string>();
  const finished = callback.status === 'signed_in' || callback.status === 'no_code';
  useEffect(() => {
    if (finished) onDone();
  }, [finished, onDone]);

  switch (callback.status) {
    case 'mfa_required':
      return (
        <section className="card narrow">
          <h2>Two-step verification</h2>
          <form
            className="stack"
            onSubmit={(event) => {
              event.preventDefault();
              callback.result.verify({ code }).then(onDone, (e: unknown) => setError(messageOf(e)));
            }}
          >
            <label>
              Authenticator code
              <input inputMode="numeric" required value={code} onChange={(e) => setCode(e.target.value)} />
            </label>
            {error && (
              <p className="error" role="alert">
                {error}
              </p>
            )}
            <button type="submit">Verify</button>
          </form>
        </section>
      );
    case 'error':
    case 'mfa_enrollment_required':
    case 'linked':
      return (
        <section className="card narrow">
          <p className="error" role="alert">
            {callback.status === 'error'
              ? `Sign-in failed: ${messageOf(callback.error)}`
              : callback.status === 'linked'
                ? 'The provider is now linked to your account.'
                : 'This bank asks you to set up two-step verification: sign in with an email code first.'}
          </p>
          <button type="button" className="secondary" onClick={onDone}>
            Back to sign-in
          </button>
        </section>
      );
    default:
      return <p className="muted">Signing you in…</p>;
  }
}

function SignIn({ banks, oauth }: { banks: DemoBank[]; oauth: DemoOAuth | null }) {
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

  // Social sign-in: Enforcer answers the provider's URL (PKCE, state and nonce kept on the server) and the
  // browser goes there; it comes back to OAUTH_CALLBACK_PATH with a one-time code (see OAuthReturn).
  const signInWithProvider = async (provider: DemoOAuth) => {
    if (!enforcer) return;
    setBusy(true);
    setError(undefined);
    try {
      await enforcer.signInWithOAuth(provider.provider, {
        redirectTo: `${window.location.origin}${provider.callback_path}`,
        tenantCode: bank,
      });
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
        {step === 'email' && oauth && (
          <button
            type="button"
            className="secondary"
            disabled={busy}
            onClick={() => signInWithProvider(oauth)}
          >
            Sign in with {oauth.label}
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
        <dt>signed in with</dt>
        <dd>
          <code data-testid="amr">{session.amr.join(', ')}</code>
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

/** What `GET /kyc/status` answers. */
type KycStatusBody = Extract<Awaited<ReturnType<Enforcer['api']['kyc']['status']>>, { status: 200 }>['body'];

/** A problem answered by the raw API client (`enforcer.api`), as text. */
const problemText = (status: number, body: unknown) => {
  const problem = body as { detail?: string; code?: string } | undefined;
  return problem?.detail ? `${problem.detail} (${problem.code})` : `Enforcer answered ${status}`;
};

/**
 * Identity verification with the tenant's KYC module: "Verify identity" opens a session
 * (`POST /kyc/sessions`) and the provider's page in a new window. While the provider decides, the card asks
 * `GET /kyc/status` (every 1.5 s, and when the tab gets focus back). Once approved, Enforcer has added the
 * account to `verified` and bumped its grant version; `enforcer.refresh()` takes a token that says so, and
 * with it every tab reloads its permissions: the Transfer button unlocks, no page reload.
 */
function Kyc() {
  const session = useSession();
  const enforcer = useEnforcer();
  const [kyc, setKyc] = useState<KycStatusBody>();
  /** The provider's page of the session this tab opened (a link too, in case the window was blocked). */
  const [pageUrl, setPageUrl] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const signedIn = session.status === 'signed_in';
  const tenantId = signedIn ? session.tenant.id : undefined;
  const verified = signedIn && session.groups.includes('verified');

  const load = useCallback(async () => {
    if (!enforcer) return undefined;
    const { status, body } = await enforcer.api.kyc.status();
    if (status !== 200) throw new Error(problemText(status, body));
    setKyc(body);
    return body;
  }, [enforcer]);

  // The status in the current bank (again after a tenant switch).
  useEffect(() => {
    if (!tenantId) return;
    setKyc(undefined);
    setPageUrl(undefined);
    load().catch((e: unknown) => setError(messageOf(e)));
  }, [load, tenantId]);

  const pending = kyc?.status === 'pending';
  useEffect(() => {
    if (!pending) return;
    const check = () => void load().catch(() => {});
    const timer = setInterval(check, 1500);
    window.addEventListener('focus', check);
    return () => {
      clearInterval(timer);
      window.removeEventListener('focus', check);
    };
  }, [pending, load]);

  // Approved, and this session's token does not say so yet: refresh (the grant version moved on).
  const approvedNotYetGranted = kyc?.status === 'approved' && !verified;
  useEffect(() => {
    if (approvedNotYetGranted) enforcer?.refresh().catch((e: unknown) => setError(messageOf(e)));
  }, [approvedNotYetGranted, enforcer]);

  if (!signedIn) return null;

  const start = async () => {
    if (!enforcer) return;
    setBusy(true);
    setError(undefined);
    // Opened in the click itself: a window opened after an await may be taken for an unwanted popup.
    const popup = window.open('', 'enforcer-kyc');
    try {
      const { status, body } = await enforcer.api.kyc.createSession({ body: {} });
      if (status !== 200 && status !== 201) throw new Error(problemText(status, body));
      setPageUrl(body.url ?? undefined);
      if (body.url && popup) {
        popup.opener = null;
        popup.location.href = body.url;
      } else if (body.url) {
        window.open(body.url, '_blank', 'noopener');
      } else {
        popup?.close(); // nothing to do there: verified already (or carried from another bank)
      }
      await load();
    } catch (e) {
      popup?.close();
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  const status = verified
    ? '✓ Verified'
    : kyc?.status === 'pending'
      ? 'Waiting for the provider…'
      : kyc?.status === 'approved'
        ? 'Approved: updating your access…'
        : kyc?.status === 'rejected'
          ? 'Verification rejected'
          : kyc?.status === 'expired'
            ? 'Verification expired'
            : 'Not verified yet';

  return (
    <section className="card">
      <h2>Identity (KYC)</h2>
      <p className={verified ? 'ok' : 'warn'} data-testid="kyc-status">
        {status}
      </p>
      {verified && (
        <p className="muted small">
          Approved by the bank's KYC provider
          {kyc?.verified_at ? ` on ${new Date(kyc.verified_at).toLocaleDateString()}` : ''}: you are in its{' '}
          <code>verified</code> group, which the bank's policy lets make transfers.
        </p>
      )}
      {!verified && kyc?.status !== 'approved' && (
        <>
          <p className="muted small">
            Your bank verifies your identity with its KYC provider (here Enforcer's development provider: its
            page lets you approve or reject). Approval adds you to the bank's <code>verified</code> group.
            {kyc?.verified_elsewhere && ' You are verified at another bank; this one verifies on its own.'}
          </p>
          <button type="button" disabled={busy} onClick={start}>
            {kyc?.status === 'pending' ? 'Open the verification page again' : 'Verify identity'}
          </button>
          {kyc?.status === 'pending' && pageUrl && (
            <p className="muted small">
              No new window?{' '}
              <a href={pageUrl} target="_blank" rel="noopener noreferrer">
                Open the provider's page
              </a>
              .
            </p>
          )}
        </>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
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
