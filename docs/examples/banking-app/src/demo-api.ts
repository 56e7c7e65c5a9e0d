// Calls to the demo's backend (demo-backend.ts, inside the Vite server): your own server, in a real app.

export interface DemoBank {
  id: string;
  code: string;
  name: string;
}

export async function fetchBanks(): Promise<DemoBank[]> {
  const response = await fetch('/demo/config');
  const body = (await response.json()) as { tenants?: DemoBank[]; error?: string };
  if (!response.ok || !body.tenants)
    throw new Error(body.error ?? `The demo backend answered ${response.status}`);
  return body.tenants;
}

/**
 * Stands in for your KYC provider's webhook: the backend adds the signed-in account to the
 * bank's `verified` group (or removes it) with the bank's API key. It learns who is asking
 * from Enforcer (`GET /auth/me` with the user's token), never from the browser's word.
 */
export async function setKyc(accessToken: string, passed: boolean): Promise<void> {
  const response = await fetch('/demo/kyc', {
    method: 'POST',
    headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ passed }),
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => ({}))) as { error?: string };
    throw new Error(body.error ?? `The demo backend answered ${response.status}`);
  }
}
