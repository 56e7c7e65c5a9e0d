// @enforcer/node-verifier/fastify: the Fastify plugin and its preHandler factory.
export {
  type EnforcerCaller,
  type EnforcerClientContext,
  type EnforcerContext,
  enforcerCaller,
} from './middleware/context';
export {
  type EnforcerFastifyOptions,
  type EnforcerRouteConfig,
  enforcer,
  requirePermission,
} from './middleware/fastify';
export {
  type MiddlewareProblemCode,
  type ProblemAnswer,
  problemAnswer,
  problemForError,
} from './middleware/problem';
