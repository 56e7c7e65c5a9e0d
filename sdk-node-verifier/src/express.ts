// @enforcer/node-verifier/express: Express (or plain Node http) middleware.
export {
  type EnforcerCaller,
  type EnforcerClientContext,
  type EnforcerContext,
  enforcerCaller,
} from './middleware/context';
export {
  type EnforcerExpressOptions,
  type ExpressLikeRequest,
  type ExpressLikeResponse,
  enforcerExpress,
  type Middleware,
  type NextFunction,
  requirePermission,
} from './middleware/express';
export {
  type MiddlewareProblemCode,
  type ProblemAnswer,
  problemAnswer,
  problemForError,
} from './middleware/problem';
