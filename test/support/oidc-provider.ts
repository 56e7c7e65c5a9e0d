// A real OpenID Provider for tests: panva's certified `oidc-provider` on 127.0.0.1, with its development
// login and consent pages. Used over HTTP by the social sign-in e2e tests (test/e2e/auth-oauth.test.ts, with
// test/e2e/oidc-providers.ts walking its pages) and in Chromium by the banking demo's test
// (test/browser/oauth-sign-in.test.ts, filling its pages).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider from 'oidc-provider';

export interface ProviderAccount {
  email?: string;
  email_verified?: boolean;
}

export interface RealProvider {
  issuer: string;
  /** Who may sign in at the provider, by the login name typed on its login page. */
  accounts: Map<string, ProviderAccount>;
  close(): Promise<void>;
}

export const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

const signingJwk = async (kid: string) => {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
};

/** oidc-provider on 127.0.0.1 with confidential clients (`client_secret_basic`, PKCE required). */
export async function startRealProvider(
  clients: Array<{ client_id: string; client_secret: string; redirect_uris: string[] }>,
): Promise<RealProvider> {
  const accounts = new Map<string, ProviderAccount>();
  const http = createServer();
  const issuer = await listen(http);
  const provider = new Provider(issuer, {
    clients: clients.map((client) => ({
      ...client,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    async findAccount(_ctx: unknown, id: string) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...account }) };
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    // The email claims in the ID token itself (the relying party reads them there, not from userinfo).
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    cookies: { keys: ['enforcer-oauth-test-cookie-key'] },
    jwks: { keys: [await signingJwk('op-key-1')] },
  });
  http.on('request', provider.callback());
  return {
    issuer,
    accounts,
    close: () => new Promise((resolve) => http.close(() => resolve())),
  };
}
