// A small Microsoft identity platform stand-in on 127.0.0.1 for the social sign-in tests (#17): for any
// sign-in audience (`/{tenant}/...`: common, organizations, a tenant id) the v2.0 authorize endpoint
// (approves at once as the user the test chose), the token endpoint (client_secret_basic, redirect URI,
// PKCE S256) answering an ID token whose `iss` is `https://login.microsoftonline.com/{tid}/v2.0` (or another
// one when the test asks: a directory issuing tokens in another's name) and the keys.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

export interface MicrosoftUser {
  tid: string;
  sub: string;
  email: string;
  /** The optional claim "email domain owner verified". */
  xmsEdov?: boolean;
  /** An `iss` other than the tid's (a misbehaving token); default the tid's issuer. */
  iss?: string;
}

export interface FakeMicrosoft {
  origin: string;
  nextUser(user: MicrosoftUser): void;
  /** The audience segment of the last authorize request (`common`, `organizations`, ...). */
  lastAudience(): string | undefined;
  close(): Promise<void>;
}

const body = async (request: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

export async function startFakeMicrosoft(client: { id: string; secret: string }): Promise<FakeMicrosoft> {
  const signing = await generateKeyPair('RS256', { extractable: true });
  const jwks = {
    keys: [{ ...(await exportJWK(signing.publicKey)), kid: 'ms-e2e', alg: 'RS256', use: 'sig' }],
  };
  let next: MicrosoftUser | undefined;
  let audience: string | undefined;
  const codes = new Map<
    string,
    { user: MicrosoftUser; challenge: string; redirectUri: string; nonce: string }
  >();
  const json = (response: ServerResponse, status: number, value: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(value));
  };
  const server = createServer(async (request, response) => {
    const url = new URL(request.url!, 'http://127.0.0.1');
    const [, segment, ...rest] = url.pathname.split('/');
    const path = `/${rest.join('/')}`;
    if (request.method === 'GET' && path === '/oauth2/v2.0/authorize') {
      const q = url.searchParams;
      if (q.get('client_id') !== client.id || q.get('code_challenge_method') !== 'S256' || !next) {
        response.writeHead(400).end('AADSTS900144');
        return;
      }
      audience = segment;
      const code = randomBytes(16).toString('base64url');
      codes.set(code, {
        user: next,
        challenge: q.get('code_challenge')!,
        redirectUri: q.get('redirect_uri')!,
        nonce: q.get('nonce')!,
      });
      const back = new URL(q.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state')!);
      response.writeHead(302, { location: back.href }).end();
      return;
    }
    if (request.method === 'POST' && path === '/oauth2/v2.0/token') {
      const form = new URLSearchParams(await body(request));
      const basic = Buffer.from(
        (request.headers.authorization ?? '').replace(/^Basic /, ''),
        'base64',
      ).toString();
      const [id, secret] = basic.split(':').map(decodeURIComponent);
      if (id !== client.id || secret !== client.secret) {
        json(response, 401, { error: 'invalid_client' });
        return;
      }
      const grant = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const challenge = createHash('sha256')
        .update(form.get('code_verifier') ?? '')
        .digest('base64url');
      if (!grant || grant.redirectUri !== form.get('redirect_uri') || grant.challenge !== challenge) {
        json(response, 400, { error: 'invalid_grant' });
        return;
      }
      const { user } = grant;
      const idToken = await new SignJWT({
        tid: user.tid,
        email: user.email,
        nonce: grant.nonce,
        ...(user.xmsEdov !== undefined && { xms_edov: user.xmsEdov }),
      })
        .setProtectedHeader({ alg: 'RS256', kid: 'ms-e2e', typ: 'JWT' })
        .setIssuer(user.iss ?? `https://login.microsoftonline.com/${user.tid}/v2.0`)
        .setAudience(client.id)
        .setSubject(user.sub)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(signing.privateKey);
      json(response, 200, { token_type: 'Bearer', access_token: 'at', expires_in: 3600, id_token: idToken });
      return;
    }
    if (request.method === 'GET' && path === '/discovery/v2.0/keys') {
      json(response, 200, jwks);
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    nextUser: (user) => {
      next = user;
    },
    lastAudience: () => audience,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
