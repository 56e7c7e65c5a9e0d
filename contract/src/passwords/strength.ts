import { commonPasswordList } from './common-passwords';

/** Passwords are compared and hashed in Unicode NFKC, so look-alike spellings are one password. */
export const normalizePassword = (password: string): string => password.normalize('NFKC');

/**
 * NIST SP 800-63B §5.1.1.2 for chosen passwords: length (8-256 characters, in the contract), no
 * composition rules, and a blocklist of values that are commonly used, expected or compromised, with
 * the reason given. The blocklist is a curated list of the most leaked passwords plus the patterns every
 * cracking dictionary tries first:
 *
 * - the list itself, case-insensitively;
 * - a listed word with digits or symbols before or after it (`Dragon2024!`, `!!monkey`);
 * - the same in leetspeak (`P@ssw0rd1`);
 * - a listed password of 6+ characters with up to 5 other characters added anywhere (`mypassword!`);
 * - one character or one short run repeated (`aaaaaaaa`, `abcabcabc`), an alphabet or digit run
 *   (`abcdefgh`, `98765432`);
 * - context-specific words: the email address or its local part, the service's and the tenant's names.
 */
const COMMON = new Set(commonPasswordList.split(/\s+/).filter(Boolean));
/** The most common ones, looked for inside longer passwords. */
const FRAGMENTS = [...COMMON].filter((word) => word.length >= 6);

const LEET: Record<string, string> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '8': 'b',
  '9': 'g',
  '@': 'a',
  $: 's',
  '!': 'i',
  '|': 'l',
  '+': 't',
};
const unleet = (value: string) => [...value].map((ch) => LEET[ch] ?? ch).join('');
const ALTERNATIVE_LEET: Record<string, string> = { '1': 'l', '!': 'l', '9': 'q' };
const unleetAlternative = (value: string) =>
  [...value].map((ch) => ALTERNATIVE_LEET[ch] ?? LEET[ch] ?? ch).join('');

/** Strips digits, symbols and spaces from both ends: `!!Dragon2024` → `dragon`. */
const core = (value: string) => value.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');

const isListed = (value: string): boolean => {
  const stripped = core(value);
  const digitless = value.replace(/^\d+|\d+$/g, '');
  const candidates = [
    value,
    unleet(value),
    unleetAlternative(value),
    unleet(digitless),
    core(unleet(digitless)),
  ];
  if (stripped.length >= 4) candidates.push(stripped, unleet(stripped), unleetAlternative(stripped));
  return candidates.some((candidate) => candidate.length >= 4 && COMMON.has(candidate));
};

/** One unit of 1-4 characters repeated to the whole length. */
const isRepetition = (value: string) => /^(.{1,4})\1+$/su.test(value);

/** Consecutive code points going up or down by one (`abcdefgh`, `87654321`). */
const isRun = (value: string) => {
  const points = [...value].map((ch) => ch.codePointAt(0)!);
  const step = points[1]! - points[0]!;
  return (step === 1 || step === -1) && points.every((p, i) => i === 0 || p - points[i - 1]! === step);
};

export interface PasswordContext {
  email?: string | null;
  tenantName?: string | null;
}

/** Why a chosen password is refused, or undefined when it is acceptable. */
export function weakPasswordReason(password: string, context: PasswordContext = {}): string | undefined {
  const value = normalizePassword(password).toLowerCase();
  const compact = value.replace(/\s+/g, '');
  if (COMMON.has(value) || COMMON.has(compact)) return 'is one of the most commonly used passwords';
  if (isRepetition(compact)) return 'repeats one short sequence of characters';
  if (isRun(compact)) return 'is a run of consecutive characters';
  if (isListed(value) || isListed(compact)) return 'is one of the most commonly used passwords';
  for (const fragment of FRAGMENTS) {
    const at = compact.indexOf(fragment);
    if (at >= 0 && compact.length - fragment.length <= 5) {
      return 'is a common password with a few characters added';
    }
    const decoded = unleet(compact);
    if (decoded.includes(fragment) && decoded.length - fragment.length <= 5) {
      return 'is a common password with a few characters added';
    }
  }

  const words: Array<[string, string]> = [['enforcer', 'the name of the service']];
  if (context.email) {
    words.push([context.email.toLowerCase(), 'your email address']);
    const local = context.email.toLowerCase().split('@')[0] ?? '';
    if (local.length >= 4) words.push([local, 'your email address']);
  }
  const tenant = context.tenantName?.toLowerCase().replace(/\s+/g, '');
  if (tenant && tenant.length >= 4) words.push([tenant, 'the name of this app']);
  for (const [word, what] of words) {
    if (compact.includes(word) && compact.length - word.length <= 5) return `is too close to ${what}`;
  }
  return undefined;
}
