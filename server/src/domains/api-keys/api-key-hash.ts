import { createHash } from 'node:crypto';

/** API keys look like `enf_<43 base64url chars>` (256 random bits); anything else as a bearer is a JWT. */
export const API_KEY_PREFIX = 'enf_';
export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');
