// OpenID Providers for the social sign-in tests (#17): a real one (panva's certified `oidc-provider`, with
// its development login and consent pages, in test/support/oidc-provider.ts since the browser tests start it
// too), the walk through its pages over HTTP, and a small hand-made one that misbehaves on purpose (a wrong
// nonce, a foreign signing key, another client's audience), which oidc-provider cannot be made to do.
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { listen } from '../support/oidc-provider.js';

export {
  type ProviderAccount,
  type RealProvider,
  startRealProvider,
} from '../support/oidc-provider.js';

/** A browser's cookies for one origin (enough for oidc-provider's interaction cookies). */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/**
 * Walks the browser through the provider from its authorization URL: the login page (posting `login`),
 * then the consent page, following the provider's redirects with a cookie jar, until the provider redirects
 * to a URL starting with `stopAt` (Enforcer's callback), which is answered.
 */
export async function passProvider(input: {
  authorizationUrl: string;
  login: string;
  stopAt: string;
  /** Cancel on the provider's first page instead (the provider answers `access_denied`). */
  abort?: boolean;
}) {
  const jar = new CookieJar();
  let url = input.authorizationUrl;
  for (let step = 0; step < 20; step++) {
    if (url.startsWith(input.stopAt)) return url;
    const response = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
    jar.store(response);
    if (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get('location')!, url).href;
      continue;
    }
    const html = await response.text();
    if (response.status !== 200 || !new URL(url).pathname.startsWith('/interaction/')) {
      throw new Error(`unexpected provider answer ${response.status} at ${url}: ${html.slice(0, 300)}`);
    }
    if (input.abort) {
      url = `${url}/abort`;
      continue;
    }
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    const form = new URLSearchParams({ prompt: prompt ?? 'login' });
    if (prompt === 'login') {
      form.set('login', input.login);
      form.set('password', 'anything');
    }
    const submitted = await fetch(url, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    jar.store(submitted);
    if (submitted.status < 300 || submitted.status >= 400) {
      throw new Error(
        `the provider refused the ${prompt} form: ${submitted.status} ${await submitted.text()}`,
      );
    }
    url = new URL(submitted.headers.get('location')!, url).href;
  }
  throw new Error('the provider never sent the browser back');
}

export type Misbehaviour = 'none' | 'wrong_nonce' | 'foreign_key' | 'other_audience';

export interface HandMadeProvider {
  issuer: string;
  /** What the next token answer gets wrong. */
  misbehave(what: Misbehaviour): void;
  close(): Promise<void>;
}

/**
 * A minimal OpenID Provider written for these tests: discovery, JWKS, an authorization endpoint that
 * approves at once (redirects back with a code), and a token endpoint that issues an ID token wrong in the
 * chosen way, on the relying party's clock (`now`). Its client is `handmade-client` / `handmade-secret`.
 */
export async function startHandMadeProvider(now: () => Date): Promise<HandMadeProvider> {
  const published = await generateKeyPair('RS256');
  const foreign = await generateKeyPair('RS256');
  const publicJwk = { ...(await exportJWK(published.publicKey)), kid: 'hm-1', alg: 'RS256', use: 'sig' };
  let mode: Misbehaviour = 'none';
  const pending = new Map<string, { nonce: string; redirectUri: string }>();
  const http = createServer();
  const issuer = await listen(http);
  http.on('request', async (req, res) => {
    const url = new URL(req.url!, issuer);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [publicJwk] });
    if (url.pathname === '/authorize') {
      const code = crypto.randomUUID();
      const redirectUri = url.searchParams.get('redirect_uri')!;
      pending.set(code, { nonce: url.searchParams.get('nonce')!, redirectUri });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state')!);
      res.writeHead(302, { location: back.href });
      return res.end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      let raw = '';
      for await (const chunk of req) raw += chunk;
      const form = new URLSearchParams(raw);
      const grant = pending.get(form.get('code') ?? '');
      if (!grant) return json(400, { error: 'invalid_grant' });
      pending.delete(form.get('code')!);
      const idToken = await new SignJWT({
        nonce: mode === 'wrong_nonce' ? 'not-the-nonce-that-was-sent' : grant.nonce,
        email: 'handmade@example.com',
        email_verified: true,
      })
        .setProtectedHeader({ alg: 'RS256', kid: 'hm-1' })
        .setIssuer(issuer)
        .setSubject('handmade-user')
        .setAudience(mode === 'other_audience' ? 'another-client' : 'handmade-client')
        .setIssuedAt(Math.floor(now().getTime() / 1000))
        .setExpirationTime(Math.floor(now().getTime() / 1000) + 300)
        .sign(mode === 'foreign_key' ? foreign.privateKey : published.privateKey);
      return json(200, { access_token: 'opaque', token_type: 'Bearer', expires_in: 300, id_token: idToken });
    }
    json(404, { error: 'not_found' });
  });
  return {
    issuer,
    misbehave: (what) => {
      mode = what;
    },
    close: () => new Promise((resolve) => http.close(() => resolve())),
  };
}
