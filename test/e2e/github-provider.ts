// A small GitHub stand-in on 127.0.0.1 for the social sign-in tests (#17): the authorize page (approves at
// once as the user the test chose), the token endpoint (checks client, secret, redirect URI and PKCE
// S256, answers a refused code with 200 and an error body as GitHub does), and the REST API's
// GET /user and GET /user/emails (Bearer token), with answers shaped like GitHub's.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GitHubUser {
  id: number;
  login: string;
  emails: Array<{ email: string; primary: boolean; verified: boolean }>;
}

export interface FakeGitHub {
  /** `http://127.0.0.1:<port>`: web (authorize, token) and API on one origin. */
  origin: string;
  /** Who the next authorize approves as. */
  nextUser(user: GitHubUser): void;
  /** The token requests received (form bodies), newest last. */
  tokenRequests: URLSearchParams[];
  close(): Promise<void>;
}

const body = async (request: IncomingMessage) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

export async function startFakeGitHub(client: { id: string; secret: string }): Promise<FakeGitHub> {
  let next: GitHubUser | undefined;
  const codes = new Map<string, { user: GitHubUser; challenge: string; redirectUri: string }>();
  const tokens = new Map<string, GitHubUser>();
  const tokenRequests: URLSearchParams[] = [];
  const server: Server = createServer(async (request, response) => {
    const url = new URL(request.url!, 'http://127.0.0.1');
    const json = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      response.end(JSON.stringify(value));
    };
    if (request.method === 'GET' && url.pathname === '/login/oauth/authorize') {
      const q = url.searchParams;
      if (q.get('client_id') !== client.id || q.get('code_challenge_method') !== 'S256' || !next) {
        response.writeHead(400).end('bad authorization request');
        return;
      }
      const code = randomBytes(10).toString('hex');
      codes.set(code, {
        user: next,
        challenge: q.get('code_challenge')!,
        redirectUri: q.get('redirect_uri')!,
      });
      const back = new URL(q.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', q.get('state')!);
      response.writeHead(302, { location: back.href }).end();
      return;
    }
    if (request.method === 'POST' && url.pathname === '/login/oauth/access_token') {
      const form = new URLSearchParams(await body(request));
      tokenRequests.push(form);
      const grant = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const refused =
        form.get('client_id') !== client.id ||
        form.get('client_secret') !== client.secret ||
        !grant ||
        grant.redirectUri !== form.get('redirect_uri') ||
        grant.challenge !== challenge;
      if (refused) {
        json(200, {
          error: 'bad_verification_code',
          error_description: 'The code passed is incorrect or expired.',
        });
        return;
      }
      const token = `gho_${randomBytes(18).toString('hex')}`;
      tokens.set(token, grant.user);
      json(200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
      return;
    }
    const user = tokens.get((request.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (request.method === 'GET' && (url.pathname === '/user' || url.pathname === '/user/emails')) {
      if (!user || !request.headers['user-agent']) {
        json(401, { message: 'Requires authentication', status: '401' });
        return;
      }
      if (url.pathname === '/user') {
        json(200, { login: user.login, id: user.id, type: 'User', name: null, email: null });
      } else {
        json(
          200,
          user.emails.map((e) => ({ ...e, visibility: e.primary ? 'public' : null })),
        );
      }
      return;
    }
    json(404, { message: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    nextUser: (user) => {
      next = user;
    },
    tokenRequests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
