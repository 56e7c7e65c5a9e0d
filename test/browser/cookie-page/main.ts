// A page on its own origin using the SDK in the cookie mode (test/browser/cookie-mode.test.ts drives it):
// `?enforcer=<Enforcer's origin>&tenant=<tenant code>`.
import { createEnforcer } from '../../../sdk-js/src/index';

const params = new URLSearchParams(location.search);
const enforcer = createEnforcer({
  baseUrl: params.get('enforcer') ?? '',
  tenantCode: params.get('tenant') ?? undefined,
  tokenStorage: 'cookie',
  // Even with localStorage for the access token, the refresh token must never land there.
  storage: 'local',
  permissions: false,
});
const status = document.getElementById('status')!;
enforcer.subscribe(() => {
  status.textContent = enforcer.getSnapshot().status;
});
void enforcer.ready().then((snapshot) => {
  status.textContent = snapshot.status;
});

const app = {
  async signIn(email: string) {
    const { code } = await enforcer.requestOtp(email);
    const result = await enforcer.signInWithOtp({ email, otp: code ?? '' });
    return result.status;
  },
  async session() {
    const snapshot = await enforcer.ready();
    return snapshot.status === 'signed_in'
      ? { status: snapshot.status, account: snapshot.account.id }
      : snapshot;
  },
  token: () => enforcer.getAccessToken(),
  refresh: () => enforcer.refresh(),
  logout: () => enforcer.logout(),
};
(window as unknown as { app: typeof app }).app = app;
