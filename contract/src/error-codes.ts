/**
 * Every failure Enforcer reports is an RFC 9457 problem document with a stable `code`
 * from this closed list. Clients switch on `code`, never on `title` or `detail`.
 * The HTTP status for each code is fixed here, once.
 *
 * No zod in this module: the browser SDK imports the list, and a bundler keeps only what is imported
 * (the schema over it, `errorCodeSchema`, is in errors.ts).
 */
export const errorStatus = {
  // 400
  validation_failed: 400,
  redirect_uri_not_allowed: 400,
  oauth_state_invalid: 400,
  invalid_policy: 400,
  bad_request: 400,
  invite_invalid: 400,
  unknown_resource_type: 400,
  weak_password: 400,
  webhook_url_refused: 400,
  // Messaging (#16): a template with a variable its kind does not have, or a malformed `{{`.
  template_invalid: 400,
  // 401
  unauthenticated: 401,
  invalid_credentials: 401,
  invalid_otp: 401,
  token_expired: 401,
  token_invalid: 401,
  refresh_token_invalid: 401,
  refresh_token_reused: 401,
  mfa_required: 401,
  mfa_enrollment_required: 401,
  invalid_mfa_code: 401,
  mfa_token_invalid: 401,
  magic_link_invalid: 401,
  oauth_code_invalid: 401,
  // Social sign-in (#17): the exchange's code_verifier is not the one whose challenge started the flow.
  oauth_code_verifier_invalid: 401,
  provider_token_invalid: 401,
  challenge_invalid: 401,
  // KYC (#16): a provider's webhook whose signature, timestamp or reference does not check out.
  webhook_signature_invalid: 401,
  // 403
  forbidden: 403,
  signup_disabled: 403,
  provider_not_allowed: 403,
  account_inactive: 403,
  /** The deployment's operator suspended the tenant (`PATCH /platform/tenants/{id}`). */
  tenant_suspended: 403,
  credential_not_allowed: 403,
  not_a_member: 403,
  self_serve_disabled: 403,
  account_locked: 403,
  provider_not_configured: 403,
  // Social sign-in (#17): the provider vouched for no verified email where one is required (GitHub: no
  // verified primary email).
  provider_email_unverified: 403,
  // Account lifecycle (#14): an admin's ban, a soft-deleted account, a lifecycle call aimed at oneself.
  account_banned: 403,
  account_deleted: 403,
  self_target: 403,
  impersonation_not_allowed: 403,
  // Abuse limits (#18): a text to a country the tenant does not send to.
  sms_destination_not_allowed: 403,
  // Refresh-token cookie mode (#18): a cookie-authenticated call without the CSRF header or from an origin
  // the session's tenant does not allow.
  csrf_check_failed: 403,
  // Modules (#16): the tenant has not switched the module on.
  module_disabled: 403,
  // 404
  not_found: 404,
  // 405
  method_not_allowed: 405,
  // 409
  conflict: 409,
  already_member: 409,
  last_admin: 409,
  mfa_not_enabled: 409,
  identity_already_linked: 409,
  last_identity: 409,
  email_in_use: 409,
  // Account lifecycle (#14): a transition the account's status does not allow; a second factor shared
  // with the person's accounts in other tenants.
  status_conflict: 409,
  mfa_shared: 409,
  // Roles, groups and their limits (#14): a built-in role or group cannot be deleted; a role held by
  // accounts needs `reassign_to`; a tenant limit (permissions per role or group, groups per account).
  built_in: 409,
  role_in_use: 409,
  limit_exceeded: 400,
  // Several roles per account (#14): an account always holds at least one role.
  last_role: 409,
  // Provisioning (#14): an Idempotency-Key reused with another request body.
  idempotency_key_reused: 409,
  // Account metadata (#14): an object of public, private or user metadata would pass its size limit.
  metadata_too_large: 400,
  // Privacy (#15): asking for erasure needs a fresh proof (a step-up, or a fresh sign-in without a second factor).
  step_up_required: 403,
  // 408
  request_timeout: 408,
  // 412
  precondition_failed: 412,
  // 413
  payload_too_large: 413,
  // 414
  uri_too_long: 414,
  // 415
  unsupported_media_type: 415,
  // 429
  rate_limited: 429,
  otp_attempts_exceeded: 429,
  // 431
  headers_too_large: 431,
  // 500 / 503
  internal_error: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;
export const errorCodes = Object.keys(errorStatus) as [ErrorCode, ...ErrorCode[]];
