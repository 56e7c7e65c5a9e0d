import type { ErrorCode } from '@enforcer/contract';

/**
 * A rule's refusal, as data: services return it instead of throwing, so a decision that must be kept
 * (a family revoked on reuse) commits with the store's transaction, and each caller raises it in its own
 * error type (the server's AppError, the mock's problem answer).
 */
export interface Refusal {
  ok: false;
  code: ErrorCode;
  detail: string;
  /** Response headers the refusal carries (`Retry-After` of a delay). */
  headers?: Record<string, string>;
}

export type Result<T> = { ok: true; value: T } | Refusal;

export const refuse = (code: ErrorCode, detail: string, headers?: Record<string, string>): Refusal =>
  headers ? { ok: false, code, detail, headers } : { ok: false, code, detail };
export const success = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
