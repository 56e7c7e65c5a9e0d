/**
 * The development provider's hosted page: the tenant's name, two buttons, and a script that posts the
 * decision back to the same URL as JSON. The script is fixed (it reads the token from the URL), so the page's
 * Content-Security-Policy allows exactly it by hash and nothing else.
 */

const SCRIPT = `for (const button of document.querySelectorAll('button[data-decision]')) {
  button.addEventListener('click', async () => {
    const out = document.getElementById('result');
    const response = await fetch(location.pathname, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ decision: button.dataset.decision }),
    });
    const body = await response.json().catch(() => ({}));
    out.textContent = response.ok ? 'Verification ' + body.status + '.' : 'Refused: ' + (body.detail || response.status);
  });
}`;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

let scriptHash: Promise<string> | undefined;

async function hashOfScript(): Promise<string> {
  const digest = new Uint8Array(
    await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(SCRIPT)),
  );
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export async function developmentPage(input: { tenantName: string; status: string }): Promise<{
  html: string;
  headers: Record<string, string>;
}> {
  scriptHash ??= hashOfScript();
  const hash = await scriptHash;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Identity verification (development)</title>
<meta name="robots" content="noindex"></head>
<body style="font-family: sans-serif; max-width: 32rem; margin: 3rem auto">
<h1>Identity verification</h1>
<p>Development provider for <strong>${escapeHtml(input.tenantName)}</strong>. No document is checked: choose the outcome.</p>
<p>Status: <span id="status">${escapeHtml(input.status)}</span></p>
<button type="button" data-decision="approved">Approve</button>
<button type="button" data-decision="rejected">Reject</button>
<p id="result" role="status"></p>
<script>${SCRIPT}</script>
</body></html>`;
  return {
    html,
    headers: {
      'content-security-policy': `default-src 'none'; script-src 'sha256-${hash}'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
      'referrer-policy': 'no-referrer',
    },
  };
}
