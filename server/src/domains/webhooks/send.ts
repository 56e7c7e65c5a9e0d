import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { webhookSecretBytes } from '@enforcer/core';
import type { ResolvedAddress } from './ssrf.js';

/**
 * Standard Webhooks signatures: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`, keyed with the
 * secret's decoded bytes; one per secret, space-separated (a rotated endpoint signs with both).
 */
export function webhookSignature(secrets: string[], id: string, timestamp: number, body: string): string {
  return secrets
    .map(
      (secret) =>
        `v1,${createHmac('sha256', webhookSecretBytes(secret)).update(`${id}.${timestamp}.${body}`).digest('base64')}`,
    )
    .join(' ');
}

export type SendOutcome =
  | { kind: 'answered'; status: number; body: string }
  | { kind: 'error'; message: string };

/** What is kept of a webhook answer's body. */
const BODY_KEPT = 1024;

/**
 * One outbound HTTP request of Enforcer's (a webhook delivery, an application's JWKS): with `address`, the
 * connection goes to that (checked) address whatever DNS says now, so a DNS rebinding between the check and
 * the connection changes nothing; TLS still verifies the certificate against the URL's host name. No
 * redirect is followed (Node's client never does: a 3xx is an answer). `timeoutMs` bounds the whole
 * attempt; the body is read up to `maxBodyBytes`, beyond which it is cut (`overflow: 'truncate'`, the
 * rest read and dropped) or the attempt fails (`'fail'`).
 */
export function pinnedRequest(input: {
  method: 'GET' | 'POST';
  url: URL;
  address: ResolvedAddress | null;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  maxBodyBytes: number;
  overflow: 'truncate' | 'fail';
  /** Certificates to trust instead of Node's roots (tests: a receiver's own CA); never set in production. */
  ca?: string[];
}): Promise<SendOutcome> {
  const { url, address } = input;
  const pinned: LookupFunction | undefined = address
    ? (_host, options, callback) => {
        if (options.all) callback(null, [{ address: address.address, family: address.family }]);
        else callback(null, address.address, address.family);
      }
    : undefined;
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    let overall: ReturnType<typeof setTimeout> | undefined;
    const done = (outcome: SendOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(overall);
      resolve(outcome);
    };
    const headers =
      input.body === undefined
        ? input.headers
        : { ...input.headers, 'content-length': String(Buffer.byteLength(input.body)) };
    const req = request(
      url,
      {
        method: input.method,
        headers,
        timeout: input.timeoutMs,
        ...(pinned ? { lookup: pinned } : {}),
        // https: the certificate is verified against the URL's host name (sent as SNI), never the address.
        ...(input.ca ? { ca: input.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on('data', (chunk: Buffer) => {
          if (kept + chunk.length > input.maxBodyBytes && input.overflow === 'fail') {
            done({ kind: 'error', message: `the answer is larger than ${input.maxBodyBytes} bytes` });
            req.destroy();
            return;
          }
          if (kept < input.maxBodyBytes) {
            chunks.push(chunk);
            kept += chunk.length;
          }
        });
        res.on('end', () =>
          done({
            kind: 'answered',
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8').slice(0, input.maxBodyBytes),
          }),
        );
        res.on('error', (error) => done({ kind: 'error', message: error.message }));
        // Closed before the end (cut off by a time limit): a failure, whatever the status said.
        res.on('close', () => done({ kind: 'error', message: 'the answer was cut off before its end' }));
      },
    );
    // The socket's idle timeout, and one for the whole attempt (an answer dripping in stays bounded).
    const tooSlow = () => req.destroy(new Error(`no answer within ${input.timeoutMs} ms`));
    req.on('timeout', tooSlow);
    overall = setTimeout(tooSlow, input.timeoutMs);
    req.on('error', (error) => done({ kind: 'error', message: error.message }));
    req.end(input.body);
  });
}

/** POSTs one webhook delivery (`pinnedRequest`; the first kilobyte of the answer is kept). */
export function sendWebhook(input: {
  url: URL;
  address: ResolvedAddress | null;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** Certificates to trust instead of Node's roots (tests: a receiver's own CA); never set in production. */
  ca?: string[];
}): Promise<SendOutcome> {
  return pinnedRequest({ ...input, method: 'POST', maxBodyBytes: BODY_KEPT, overflow: 'truncate' });
}
