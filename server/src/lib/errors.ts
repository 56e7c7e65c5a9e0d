// The error family is the core's (one definition for the server, the mock and the services).
export { AppError, isAppError, refusalError } from '@enforcer/core';
