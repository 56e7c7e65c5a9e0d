import { z } from 'zod';

export const livenessSchema = z.object({ status: z.literal('ok') });
export type Liveness = z.infer<typeof livenessSchema>;

/** Ready: every dependency answered. When one does not, `GET /readyz` is a 503 problem. */
export const readinessSchema = z.object({
  status: z.literal('ready'),
  checks: z.record(z.string(), z.literal('ok')),
});
export type Readiness = z.infer<typeof readinessSchema>;
