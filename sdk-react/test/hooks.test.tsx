// @vitest-environment jsdom
import type { Enforcer } from '@enforcer/sdk-js';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { version as reactVersion, StrictMode, useState } from 'react';
import { version as reactDomVersion } from 'react-dom';
import { describe, expect, it } from 'vitest';
import {
  Can,
  EnforcerProvider,
  SessionLoading,
  SignedIn,
  SignedOut,
  useCan,
  useEnforcer,
  useSession,
  useSessions,
  useTenants,
} from '../src/index';
import { renderCounter, setupMockEnforcer } from './harness';

const h = setupMockEnforcer();

/** The sign-in form and the signed-in header of a small app. */
function SignIn({ tenantCode }: { tenantCode: string }) {
  const session = useSession();
  const [email, setEmail] = useState('');
  const [otp, setOtp] = useState('');
  const [sent, setSent] = useState(false);
  return (
    <form
      onSubmit={async (event) => {
        event.preventDefault();
        if (!sent) {
          await session.requestOtp(email, { tenantCode });
          setSent(true);
        } else {
          await session.signInWithOtp({ email, otp, tenantCode });
        }
      }}
    >
      <input aria-label="email" value={email} onChange={(e) => setEmail(e.target.value)} />
      {sent && <input aria-label="code" value={otp} onChange={(e) => setOtp(e.target.value)} />}
      <button type="submit">{sent ? 'Sign in' : 'Send code'}</button>
    </form>
  );
}

function Header() {
  const session = useSession();
  if (session.status !== 'signed_in') return null;
  return (
    <header>
      <span>signed in as {session.account.email}</span>
      <span>tenant {session.tenant.name}</span>
      <button type="button" onClick={() => session.logout()}>
        Sign out
      </button>
    </header>
  );
}

function Transfer() {
  return (
    <Can
      action="transfers.create"
      loading={<span>checking</span>}
      fallback={
        <button type="button" disabled>
          Transfer (complete KYC first)
        </button>
      }
    >
      <button type="button">Transfer</button>
    </Can>
  );
}

function App({ tenantCode }: { tenantCode: string }) {
  return (
    <>
      <SessionLoading>restoring</SessionLoading>
      <SignedOut>
        <SignIn tenantCode={tenantCode} />
      </SignedOut>
      <SignedIn>
        <Header />
        <Transfer />
      </SignedIn>
    </>
  );
}

async function signInThroughTheForm(email: string) {
  fireEvent.change(screen.getByLabelText('email'), { target: { value: email } });
  fireEvent.click(screen.getByRole('button', { name: 'Send code' }));
  const code = await screen.findByLabelText('code');
  fireEvent.change(code, { target: { value: h.mock.lastOtp(email) } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
  await screen.findByText(`signed in as ${email}`);
}

/** Reports the transfer gate's status on every render. */
function GateProbe({ onRender }: { onRender: (status: string) => void }) {
  onRender(useCan('transfers.create').status);
  return null;
}

function OwnAccount({ id, tenantId }: { id: string; tenantId: string }) {
  const { status } = useCan('accounts.read', {
    type: 'account',
    attributes: { id, tenant_id: tenantId },
  });
  return <span>{`${id}: ${status}`}</span>;
}

function Switcher() {
  const { status, tenants, currentTenantId, switchTenant, switchingTo } = useTenants();
  return (
    <div>
      <span>tenants {status}</span>
      <span>switching {String(switchingTo !== null)}</span>
      {tenants.map((m) => (
        <button
          key={m.tenant.id}
          type="button"
          aria-pressed={m.tenant.id === currentTenantId}
          onClick={() => switchTenant(m.tenant.id)}
        >
          {m.tenant.name}
        </button>
      ))}
    </div>
  );
}

type Counter = ReturnType<typeof renderCounter>;

function GateCounter({ renders }: { renders: Counter }) {
  renders.hit('useCan');
  return <span>gate {useCan('transfers.create').status}</span>;
}

function StatusCounter({ renders }: { renders: Counter }) {
  renders.hit('SignedIn');
  return <SignedIn>in</SignedIn>;
}

function SessionCounter({ renders }: { renders: Counter }) {
  renders.hit('useSession');
  return <span>{useSession().status}</span>;
}

function TenantsCounter({ renders }: { renders: Counter }) {
  renders.hit('useTenants');
  return <span>tenants {useTenants().status}</span>;
}

function ClientProbe({ seen }: { seen: Set<Enforcer | null> }) {
  seen.add(useEnforcer());
  return null;
}

function Orphan() {
  useSession();
  return null;
}

const signedInWithPermissions = (enforcer: Enforcer) =>
  waitFor(() => {
    const s = enforcer.getSnapshot();
    expect(s.status === 'signed_in' && s.permissions.status).toBe('ready');
  });

it('runs on the React the configuration asks for (19 here, 18 under `pnpm test:react18`)', () => {
  const major = process.env.EXPECTED_REACT_MAJOR ?? '19';
  expect(reactVersion.split('.')[0]).toBe(major);
  expect(reactDomVersion.split('.')[0]).toBe(major);
});

describe('sign-in, the KYC gate, sign-out', () => {
  it('signs in with an email code; the gate flips when the account joins and leaves `verified`', async () => {
    const { tenant, account, email } = h.seedCustomer();
    const enforcer = h.client();
    const seen: string[] = [];
    render(
      <EnforcerProvider client={enforcer}>
        <App tenantCode={tenant.code} />
        <GateProbe onRender={(status) => seen.push(status)} />
      </EnforcerProvider>,
    );
    expect(screen.queryByText('restoring')).toBeNull(); // memory storage: known at once
    await signInThroughTheForm(email);
    expect(await screen.findByRole('button', { name: 'Transfer (complete KYC first)' })).toBeDefined();
    expect(screen.queryByRole('button', { name: 'Transfer' })).toBeNull();

    h.mock.seed.addToGroup({ account: account.id, group: 'verified' }); // the KYC webhook
    await act(() => enforcer.reloadPermissions());
    expect(screen.getByRole('button', { name: 'Transfer' })).toBeDefined();

    h.mock.seed.removeFromGroup({ account: account.id, group: 'verified' });
    await act(() => enforcer.reloadPermissions());
    expect(screen.getByRole('button', { name: 'Transfer (complete KYC first)' })).toBeDefined();

    // Signed out, then loading while the permissions came, then the answers: never a
    // "denied" shown before the first real answer, never "loading" after a reload.
    expect(dedupe(seen)).toEqual(['denied', 'loading', 'denied', 'allowed', 'denied']);

    fireEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('button', { name: 'Send code' })).toBeDefined();
    expect(screen.queryByText(/signed in as/)).toBeNull();
    expect(enforcer.getSnapshot().status).toBe('signed_out');
    expect(h.mock.count('auth.logout')).toBeGreaterThanOrEqual(1);
  });

  it('useCan passes a resource to the policy', async () => {
    const { tenant, account, email } = h.seedCustomer();
    const enforcer = h.client();
    await enforcer.requestOtp(email, { tenantCode: tenant.code });
    await enforcer.signInWithOtp({ email, otp: h.mock.lastOtp(email)!, tenantCode: tenant.code });
    render(
      <EnforcerProvider client={enforcer}>
        <OwnAccount id={account.id} tenantId={tenant.id} />
        <OwnAccount id="someone-else" tenantId={tenant.id} />
      </EnforcerProvider>,
    );
    expect(await screen.findByText(`${account.id}: allowed`)).toBeDefined();
    expect(screen.getByText('someone-else: denied')).toBeDefined();
  });
});

describe('tenants', () => {
  it('lists memberships once per session, switches, and the gate follows the tenant', async () => {
    const email = 'multi@example.com';
    const bank = h.mock.seed.tenant({ name: 'Retail Bank' });
    const savings = h.mock.seed.tenant({ name: 'Savings Co' });
    h.mock.seed.account({ tenant: bank.id, email, groups: ['verified'] });
    h.mock.seed.account({ tenant: savings.id, email });
    const enforcer = h.client();
    await enforcer.requestOtp(email, { tenantCode: bank.code });
    await enforcer.signInWithOtp({ email, otp: h.mock.lastOtp(email)!, tenantCode: bank.code });
    const before = h.mock.count('auth.tenants');

    render(
      <EnforcerProvider client={enforcer}>
        <Switcher />
        <Switcher />
        <Header />
        <Transfer />
      </EnforcerProvider>,
    );
    await waitFor(() => expect(screen.getAllByText('tenants ready')).toHaveLength(2));
    expect(h.mock.count('auth.tenants') - before).toBe(1); // two components, one request
    expect(screen.getAllByRole('button', { name: 'Retail Bank' })[0]!.getAttribute('aria-pressed')).toBe(
      'true',
    );
    expect(await screen.findByRole('button', { name: 'Transfer' })).toBeDefined();

    fireEvent.click(screen.getAllByRole('button', { name: 'Savings Co' })[0]!);
    expect(await screen.findByText('tenant Savings Co')).toBeDefined();
    expect(await screen.findByRole('button', { name: 'Transfer (complete KYC first)' })).toBeDefined();
    await waitFor(() => expect(screen.getAllByText('tenants ready')).toHaveLength(2));
    expect(screen.getAllByRole('button', { name: 'Savings Co' })[0]!.getAttribute('aria-pressed')).toBe(
      'true',
    );
    expect(screen.getAllByText('switching false')).toHaveLength(2);
    expect(h.mock.count('auth.switchTenant')).toBe(1);

    fireEvent.click(screen.getAllByRole('button', { name: 'Retail Bank' })[0]!);
    expect(await screen.findByText('tenant Retail Bank')).toBeDefined();
    expect(await screen.findByRole('button', { name: 'Transfer' })).toBeDefined();
  });
});

/** A "where you're signed in" list: each session with a button to end it, and "sign out other devices". */
function Devices() {
  const { status, sessions, error, endSession, endOtherSessions } = useSessions();
  return (
    <section>
      <span>sessions {status}</span>
      {error && <span>error {error.code}</span>}
      <ul>
        {sessions.map((s) => (
          <li key={s.id}>
            {s.device} {s.current ? '(this device)' : ''}
            <button type="button" onClick={() => endSession(s.id)}>
              end {s.id}
            </button>
          </li>
        ))}
      </ul>
      <button type="button" onClick={() => endOtherSessions()}>
        Sign out other devices
      </button>
    </section>
  );
}

describe('sessions', () => {
  it('lists once per session, ends one, ends the others, and ending this one signs out', async () => {
    const { tenant, email } = h.seedCustomer();
    const signIn = async () => {
      const enforcer = h.client({ permissions: false });
      await enforcer.requestOtp(email, { tenantCode: tenant.code });
      await enforcer.signInWithOtp({ email, otp: h.mock.lastOtp(email)!, tenantCode: tenant.code });
      return enforcer;
    };
    const enforcer = await signIn();
    const phone = await signIn();
    const laptop = await signIn();
    const sid = (e: Enforcer) => (e.getSnapshot() as { sessionId: string }).sessionId;
    const [mine, phoneId, laptopId] = [sid(enforcer), sid(phone), sid(laptop)];
    // Asked with the raw token: the SDK would try a refresh (other tests count refreshes).
    const meStatus = async (e: Enforcer) =>
      (
        await fetch(`${h.mock.baseUrl}/api/v1/enforcer/auth/me`, {
          headers: { authorization: `Bearer ${await e.getAccessToken()}` },
        })
      ).status;
    const [phoneToken, laptopToken] = [await phone.getAccessToken(), await laptop.getAccessToken()];
    const meWith = async (token: string | null) =>
      (
        await fetch(`${h.mock.baseUrl}/api/v1/enforcer/auth/me`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).status;
    const before = h.mock.count('auth.sessions');

    render(
      <EnforcerProvider client={enforcer}>
        <Devices />
        <Devices />
        <SignedOut>
          <span>signed out</span>
        </SignedOut>
      </EnforcerProvider>,
    );
    await waitFor(() => expect(screen.getAllByText('sessions ready')).toHaveLength(2));
    expect(h.mock.count('auth.sessions') - before).toBe(1); // two components, one request
    expect(screen.getAllByRole('button', { name: /^end / })).toHaveLength(6);
    expect(screen.getAllByText(/\(this device\)/)).toHaveLength(2);

    fireEvent.click(screen.getAllByRole('button', { name: `end ${phoneId}` })[0]!);
    await waitFor(() => expect(screen.queryAllByRole('button', { name: `end ${phoneId}` })).toHaveLength(0));
    expect(await meWith(phoneToken)).toBe(401);
    expect(await meStatus(laptop)).toBe(200);
    expect(screen.getAllByRole('button', { name: `end ${laptopId}` })).toHaveLength(2);

    fireEvent.click(screen.getAllByRole('button', { name: 'Sign out other devices' })[0]!);
    await waitFor(() => expect(screen.queryAllByRole('button', { name: `end ${laptopId}` })).toHaveLength(0));
    expect(screen.getAllByRole('button', { name: /^end / })).toHaveLength(2);
    expect(await meWith(laptopToken)).toBe(401);

    fireEvent.click(screen.getAllByRole('button', { name: `end ${mine}` })[0]!);
    expect(await screen.findByText('signed out')).toBeDefined();
    await waitFor(() => expect(screen.queryAllByRole('button', { name: /^end / })).toHaveLength(0));
    expect(enforcer.getSnapshot().status).toBe('signed_out');
  });
});

describe('renders', () => {
  it('no re-render when nothing a component reads changed: refresh, same permissions again', async () => {
    const { tenant, email } = h.seedCustomer();
    const enforcer = h.client();
    const renders = renderCounter();
    render(
      <EnforcerProvider client={enforcer}>
        <GateCounter renders={renders} />
        <StatusCounter renders={renders} />
        <SessionCounter renders={renders} />
        <TenantsCounter renders={renders} />
      </EnforcerProvider>,
    );
    await act(async () => {
      await enforcer.requestOtp(email, { tenantCode: tenant.code });
      await enforcer.signInWithOtp({ email, otp: h.mock.lastOtp(email)!, tenantCode: tenant.code });
    });
    await signedInWithPermissions(enforcer);
    await screen.findByText('gate denied');
    await screen.findByText('tenants ready');
    const settled = {
      useCan: renders.get('useCan'),
      SignedIn: renders.get('SignedIn'),
      useSession: renders.get('useSession'),
      useTenants: renders.get('useTenants'),
    };

    // The same permissions again: the SDK hands out a new permissions object, nobody re-renders.
    const snapshotBefore = enforcer.getSnapshot();
    await act(() => enforcer.reloadPermissions());
    expect(enforcer.getSnapshot()).not.toBe(snapshotBefore);
    expect(renders.get('useCan')).toBe(settled.useCan);
    expect(renders.get('useSession')).toBe(settled.useSession);
    expect(renders.get('SignedIn')).toBe(settled.SignedIn);
    expect(renders.get('useTenants')).toBe(settled.useTenants);

    // A token refresh: the session changed (expiry), the gate, the status and the tenants did not.
    h.clock.advance(901);
    await act(() => enforcer.refresh());
    await act(() => enforcer.reloadPermissions());
    expect(h.mock.count('auth.refresh')).toBe(1);
    expect(renders.get('useCan')).toBe(settled.useCan);
    expect(renders.get('SignedIn')).toBe(settled.SignedIn);
    expect(renders.get('useTenants')).toBe(settled.useTenants);
    expect(renders.get('useSession')).toBe(settled.useSession + 1); // expiresAt is part of the session
  });

  it('a component renders once per change of what it reads', async () => {
    const { tenant, email, account } = h.seedCustomer();
    const enforcer = h.client();
    const statuses: string[] = [];
    render(
      <EnforcerProvider client={enforcer}>
        <GateProbe onRender={(status) => statuses.push(status)} />
      </EnforcerProvider>,
    );
    await act(async () => {
      await enforcer.requestOtp(email, { tenantCode: tenant.code });
      await enforcer.signInWithOtp({ email, otp: h.mock.lastOtp(email)!, tenantCode: tenant.code });
    });
    await signedInWithPermissions(enforcer);
    h.mock.seed.addToGroup({ account: account.id, group: 'verified' });
    await act(() => enforcer.reloadPermissions());
    expect(statuses).toEqual(['denied', 'loading', 'denied', 'allowed']);
  });
});

describe('tabs and the provider', () => {
  it('two providers on one storage (two tabs): signing out in one signs out the other', async () => {
    const { tenant, email } = h.seedCustomer();
    const storage = h.memoryStorage();
    const storageKey = h.key();
    const tabA = h.client({ storage, storageKey });
    const tabB = h.client({ storage, storageKey });
    render(
      <>
        <div data-testid="a">
          <EnforcerProvider client={tabA}>
            <App tenantCode={tenant.code} />
          </EnforcerProvider>
        </div>
        <div data-testid="b">
          <EnforcerProvider client={tabB}>
            <App tenantCode={tenant.code} />
          </EnforcerProvider>
        </div>
      </>,
    );
    await act(async () => {
      await tabA.requestOtp(email, { tenantCode: tenant.code });
      await tabA.signInWithOtp({ email, otp: h.mock.lastOtp(email)!, tenantCode: tenant.code });
    });
    await waitFor(() => expect(screen.getAllByText(`signed in as ${email}`)).toHaveLength(2));
    fireEvent.click(screen.getAllByRole('button', { name: 'Sign out' })[0]!);
    await waitFor(() => expect(screen.getAllByRole('button', { name: 'Send code' })).toHaveLength(2));
    expect(tabB.getSnapshot().status).toBe('signed_out');
  });

  it('a provider given options: its client survives StrictMode, follows other tabs, is destroyed on unmount', async () => {
    const { tenant, email } = h.seedCustomer();
    const storage = h.memoryStorage();
    const storageKey = h.key();
    const seen = new Set<Enforcer | null>();
    const view = render(
      <StrictMode>
        <EnforcerProvider options={{ baseUrl: h.mock.baseUrl, storage, storageKey, autoRefresh: false }}>
          <App tenantCode={tenant.code} />
          <ClientProbe seen={seen} />
        </EnforcerProvider>
      </StrictMode>,
    );
    // Another tab signs in: the provider's client hears it (its storage subscription and tab
    // channel are alive, so StrictMode's unmount-remount did not leave it destroyed).
    const otherTab = h.client({ storage, storageKey });
    await act(async () => {
      await otherTab.requestOtp(email, { tenantCode: tenant.code });
      await otherTab.signInWithOtp({ email, otp: h.mock.lastOtp(email)!, tenantCode: tenant.code });
    });
    expect(await screen.findByText(`signed in as ${email}`)).toBeDefined();
    expect(await screen.findByRole('button', { name: 'Transfer (complete KYC first)' })).toBeDefined();
    const live = [...seen].at(-1)!;
    expect(live.getSnapshot().status).toBe('signed_in');

    view.unmount();
    // Destroyed: it no longer follows the other tab.
    await act(() => otherTab.logout());
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(otherTab.getSnapshot().status).toBe('signed_out');
    expect(live.getSnapshot().status).toBe('signed_in');
  });

  it('an asynchronous storage: loading first (no gate, no sign-in form), then the restored session', async () => {
    const { tenant, email } = h.seedCustomer();
    const inner = h.memoryStorage();
    const slow = {
      get: async (key: string) => inner.get(key),
      set: async (key: string, value: string) => inner.set(key, value),
      remove: async (key: string) => inner.remove(key),
    };
    const storageKey = h.key();
    const first = h.client({ storage: slow, storageKey });
    await first.ready();
    await first.requestOtp(email, { tenantCode: tenant.code });
    await first.signInWithOtp({ email, otp: h.mock.lastOtp(email)!, tenantCode: tenant.code });

    const restored = h.client({ storage: slow, storageKey });
    const seen: string[] = [];
    render(
      <EnforcerProvider client={restored}>
        <App tenantCode={tenant.code} />
        <GateProbe onRender={(status) => seen.push(status)} />
      </EnforcerProvider>,
    );
    expect(screen.getByText('restoring')).toBeDefined();
    expect(screen.queryByRole('button', { name: 'Send code' })).toBeNull();
    expect(await screen.findByRole('button', { name: 'Transfer (complete KYC first)' })).toBeDefined();
    expect(screen.queryByText('restoring')).toBeNull();
    expect(dedupe(seen)).toEqual(['loading', 'denied']);
  });

  it('hooks outside a provider say so', () => {
    const error = console.error;
    console.error = () => {};
    const quiet = (event: ErrorEvent) => event.preventDefault(); // React 18 reports it to window too
    window.addEventListener('error', quiet);
    try {
      expect(() => render(<Orphan />)).toThrow(/EnforcerProvider/);
    } finally {
      console.error = error;
      window.removeEventListener('error', quiet);
    }
  });
});

function dedupe(values: string[]): string[] {
  return values.filter((value, i) => i === 0 || values[i - 1] !== value);
}
