// A small Sign in with Apple stand-in on 127.0.0.1 for the social sign-in tests (#17): the authorize page
// (approves at once and answers the form it would post back: state, code, and `user` with the name on the
// first authorization of a user only), the token endpoint (checks the ES256 client secret JWT against the
// team's public key, the redirect URI and PKCE S256; answers an ID token with `email_verified` as the
// string "true", as Apple does) and the keys.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, importSPKI, jwtVerify, SignJWT } from 'jose';

export interface AppleUser {
  sub: string;
  email: string;
  firstName: string;
  lastName: string;
}

export interface FakeApple {
  origin: string;
  nextUser(user: AppleUser): void;
  close(): Promise<void>;
}

const body = async (request: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

export async function startFakeApple(client: {
  id: string;
  teamId: string;
  keyId: string;
  teamPublicKeyPem: string;
}): Promise<FakeApple> {
  const signing = await generateKeyPair('RS256', { extractable: true });
  const jwks = {
    keys: [{ ...(await exportJWK(signing.publicKey)), kid: 'apple-e2e', alg: 'RS256', use: 'sig' }],
  };
  const teamKey = await importSPKI(client.teamPublicKeyPem, 'ES256');
  let next: AppleUser | undefined;
  const authorizedBefore = new Set<string>();
  const codes = new Map<string, { user: AppleUser; challenge: string; redirectUri: string; nonce: string }>();
  const json = (response: import('node:http').ServerResponse, status: number, value: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(value));
  };
  const server = createServer(async (request, response) => {
    const url = new URL(request.url!, 'http://127.0.0.1');
    if (request.method === 'GET' && url.pathname === '/auth/authorize') {
      const q = url.searchParams;
      if (q.get('client_id') !== client.id || q.get('response_mode') !== 'form_post' || !next) {
        response.writeHead(400).end('invalid_request');
        return;
      }
      const code = `c${randomBytes(12).toString('hex')}.0.mrwxy`;
      codes.set(code, {
        user: next,
        challenge: q.get('code_challenge')!,
        redirectUri: q.get('redirect_uri')!,
        nonce: q.get('nonce')!,
      });
      const fields: Record<string, string> = { state: q.get('state')!, code };
      if (!authorizedBefore.has(next.sub)) {
        authorizedBefore.add(next.sub);
        fields.user = JSON.stringify({
          name: { firstName: next.firstName, lastName: next.lastName },
          email: next.email,
        });
      }
      // What the page's auto-submitting form would post (the test posts it as the browser would).
      json(response, 200, { action: q.get('redirect_uri'), fields });
      return;
    }
    if (request.method === 'POST' && url.pathname === '/auth/token') {
      const form = new URLSearchParams(await body(request));
      const grant = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      try {
        await jwtVerify(form.get('client_secret') ?? '', teamKey, {
          issuer: client.teamId,
          audience: 'https://appleid.apple.com',
          subject: client.id,
          algorithms: ['ES256'],
        });
      } catch {
        json(response, 400, { error: 'invalid_client' });
        return;
      }
      const challenge = createHash('sha256')
        .update(form.get('code_verifier') ?? '')
        .digest('base64url');
      if (!grant || grant.redirectUri !== form.get('redirect_uri') || grant.challenge !== challenge) {
        json(response, 400, { error: 'invalid_grant' });
        return;
      }
      const idToken = await new SignJWT({
        email: grant.user.email,
        email_verified: 'true',
        is_private_email: 'false',
        nonce: grant.nonce,
        nonce_supported: true,
      })
        .setProtectedHeader({ alg: 'RS256', kid: 'apple-e2e' })
        .setIssuer('https://appleid.apple.com')
        .setAudience(client.id)
        .setSubject(grant.user.sub)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(signing.privateKey);
      json(response, 200, {
        access_token: randomBytes(16).toString('hex'),
        token_type: 'Bearer',
        expires_in: 3600,
        refresh_token: randomBytes(16).toString('hex'),
        id_token: idToken,
      });
      return;
    }
    if (request.method === 'GET' && url.pathname === '/auth/keys') {
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
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
