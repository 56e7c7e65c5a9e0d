import { base64url } from '@enforcer/core';
import { HttpResponse } from 'msw';

/** RFC 7636 S256: base64url(SHA-256(verifier)), read through a Uint8Array (WebCrypto may be of another realm). */
export const s256 = async (verifier: string) =>
  base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));

/** A fresh authorization code (24 random bytes, base64url). */
export const newCode = () => base64url(crypto.getRandomValues(new Uint8Array(24)));

/** The client's id and secret of a token request: HTTP Basic, or the form's `client_id`/`client_secret`. */
export function clientCredentials(request: Request, form: URLSearchParams): [string | null, string | null] {
  const basic = request.headers.get('authorization');
  if (basic?.startsWith('Basic ')) {
    const [id, secret] = atob(basic.slice(6)).split(':').map(decodeURIComponent);
    return [id ?? null, secret ?? null];
  }
  return [form.get('client_id'), form.get('client_secret')];
}

/** `redirectUri` with the authorization response's `code` and `state`: the provider's approval, as a 302. */
export function approve(redirectUri: string, params: Record<string, string>) {
  const back = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) back.searchParams.set(key, value);
  return new HttpResponse(null, { status: 302, headers: { location: back.href } });
}

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * `response_mode=form_post` (Apple): a page whose form posts `fields` to `action` as soon as it loads, as
 * the provider's page does. A browser submits it; `mock.followOAuthRedirects` does the same over fetch.
 */
export function formPost(action: string, fields: Record<string, string>) {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  return new HttpResponse(
    `<!doctype html><html><body onload="document.forms[0].submit()"><form method="post" action="${escapeHtml(action)}">${inputs}</form></body></html>`,
    { status: 200, headers: { 'content-type': 'text/html; charset=utf-8', [FORM_POST_HEADER]: '1' } },
  );
}

/** Marks a stand-in's form-post page, for `followOAuthRedirects`. */
export const FORM_POST_HEADER = 'x-enforcer-mock-form-post';

/** The OAuth error answer of a token endpoint. */
export const oauthError = (error: string, status = 400) => HttpResponse.json({ error }, { status });
