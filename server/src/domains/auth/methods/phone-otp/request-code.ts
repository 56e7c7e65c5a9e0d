/** The SMS text. The code leads (lock screens show the start); no link, nothing else secret. */
export const smsText = (code: string, tenant: { name: string } | null, ttlSeconds: number) =>
  `${code} is your ${tenant ? tenant.name : 'Enforcer'} code. It expires in ${Math.round(ttlSeconds / 60)} minutes. Never share it.`;
