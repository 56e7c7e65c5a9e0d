// A real SMTP server on loopback for the messaging tests (the `smtp-server` package, nodemailer's sibling):
// it records every message it accepts (envelope, raw data, the authenticated user) and can refuse the next
// messages with a temporary error (`451`), so a test sees the outbox retry.
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAuthentication } from 'smtp-server';
import { firstMatching } from './smtp-sink.js';

export interface AcceptedMail {
  from: string;
  to: string[];
  /** The user the client authenticated as (null without AUTH). */
  user: string | null;
  /** The raw message: headers and body (CRLF line ends). */
  raw: string;
}

export interface TestSmtpServer {
  /** `smtp://127.0.0.1:<port>`. */
  url: string;
  port: number;
  accepted: AcceptedMail[];
  /** Messages refused so far (each one a DATA answered 451). */
  refused: number;
  /** Refuses the next `n` messages with `451 try again later`. */
  refuseNext(n: number): void;
  waitFor(match: (mail: AcceptedMail) => boolean, timeoutMs?: number): Promise<AcceptedMail>;
  close(): Promise<void>;
}

export async function startTestSmtpServer(
  options: { users?: Record<string, string> } = {},
): Promise<TestSmtpServer> {
  const accepted: AcceptedMail[] = [];
  const waiters = new Set<() => void>();
  let refuse = 0;
  const state = { refused: 0 };
  const server = new SMTPServer({
    // Loopback and plain: the test needs no TLS; AUTH over it is allowed here only.
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: !options.users,
    logger: false,
    // close() waits this long for connections still open (a server's pooled transport keeps one) before
    // ending them: 30 s by default, which every file paid when its SMTP servers closed before its server.
    closeTimeout: 100,
    onAuth(auth: SMTPServerAuthentication, _session, callback) {
      const expected = options.users?.[auth.username ?? ''];
      if (expected !== undefined && expected === auth.password)
        return callback(null, { user: auth.username });
      return callback(new Error('535 authentication failed'));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (refuse > 0) {
          refuse -= 1;
          state.refused += 1;
          const error = Object.assign(new Error('try again later'), { responseCode: 451 });
          return callback(error);
        }
        accepted.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          user: typeof session.user === 'string' ? session.user : null,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        for (const wake of waiters) wake();
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    accepted,
    get refused() {
      return state.refused;
    },
    refuseNext(n) {
      refuse = n;
    },
    waitFor: (match, timeoutMs = 10_000) => firstMatching(accepted, waiters, match, timeoutMs),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A header of a raw message, unfolded, with RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `?B?`) decoded. */
export function headerOf(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  if (!line) return undefined;
  return line
    .slice(name.length + 1)
    .trim()
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([qb])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
      enc.toLowerCase() === 'b'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9A-F]{2})/gi, (_m, hex) => String.fromCharCode(parseInt(hex, 16))),
            'latin1',
          ).toString('utf8'),
    );
}

/** The decoded body of the message's part of this content type (quoted-printable or base64 or plain). */
export function partOf(raw: string, contentType: 'text/plain' | 'text/html'): string | undefined {
  const parts = raw.split(/\r?\n--[^\r\n]+\r?\n/);
  for (const part of parts) {
    const [head, ...rest] = part.split(/\r?\n\r?\n/);
    if (!head || !new RegExp(`content-type:\\s*${contentType}`, 'i').test(head)) continue;
    const body = rest.join('\r\n\r\n').replace(/\r?\n--[^\r\n]*--\s*$/, '');
    if (/content-transfer-encoding:\s*base64/i.test(head))
      return Buffer.from(body, 'base64').toString('utf8');
    if (/content-transfer-encoding:\s*quoted-printable/i.test(head)) {
      const bytes = body
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-F]{2})/gi, (_m, hex) => String.fromCharCode(parseInt(hex, 16)));
      return Buffer.from(bytes, 'latin1').toString('utf8');
    }
    return body;
  }
  return undefined;
}
