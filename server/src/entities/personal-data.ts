/**
 * The personal-data registry (#15): every column of the schema that can hold content (text, JSON, arrays,
 * bytes) is declared here once, either as personal data with how erasing a person treats it, or as not
 * personal with the reason. `test/e2e/personal-data.test.ts` reads PostgreSQL's information_schema and fails
 * on a column declared in neither (or declared but gone), so a new column cannot be added without saying
 * how it is erased. Ids, timestamps, numbers and booleans hold no personal content by themselves (ids are
 * random UUIDs: pseudonymous once the person's row is erased) and are not listed.
 *
 * The erasure itself is the stores' `PrivacyStore.erasePerson` (server/core/src/privacy), which the e2e
 * privacy test holds to this registry: after an erasure, no column declared here still holds any of the
 * person's values. docs/privacy.md has the table in prose.
 */

/** What erasing a person does to a column's value in the rows that are theirs. */
export type Erasure =
  /** The person's rows are deleted (sign-in methods, secrets, short-lived challenges and counters). */
  | 'delete_row'
  /** Set to null in the person's rows; the row stays (its id is then a pseudonym). */
  | 'set_null'
  /** A JSON object emptied (`{}`) in the person's rows. */
  | 'set_empty'
  /**
   * Audit events: ip, user agent and the personal keys of `details` removed from the events about the
   * person, together with the commitment's salt; the event (pseudonymous ids, type, time) and the chain stay.
   */
  | 'erase_in_event'
  /**
   * Kept for minutes and deleted by its own expiry, not chased by an erasure: the general rate limit's
   * counters (#18) of a client address, gone 10 minutes after the address's last request. Erasure deletes
   * those it finds, but an address that keeps sending requests is counted again, as the limit needs.
   */
  | 'expires';

export interface PersonalColumn {
  erasure: Erasure;
  /** What it holds (and, when it matters, which rows are the person's). */
  holds: string;
}

export const personalData: Record<string, Record<string, PersonalColumn>> = {
  person: {
    email: { erasure: 'set_null', holds: 'the primary email' },
    display_name: { erasure: 'set_null', holds: 'the profile name' },
    avatar_url: { erasure: 'set_null', holds: 'a picture of the person' },
    locale: { erasure: 'set_null', holds: 'language preference' },
    time_zone: { erasure: 'set_null', holds: 'where the person lives, roughly' },
  },
  account: {
    public_metadata: { erasure: 'set_empty', holds: 'what the tenant stored about the person' },
    private_metadata: { erasure: 'set_empty', holds: 'what the tenant stored about the person' },
    user_metadata: { erasure: 'set_empty', holds: 'what the person stored' },
    status_reason: { erasure: 'set_null', holds: "an admin's free text about the account" },
  },
  person_identity: {
    subject: { erasure: 'delete_row', holds: 'phone number, wallet address, Google subject, Privy DID' },
    email: { erasure: 'delete_row', holds: 'the email a provider vouched for' },
  },
  passkey_credential: {
    credential_id: { erasure: 'delete_row', holds: "the authenticator's credential id" },
    public_key: { erasure: 'delete_row', holds: "the authenticator's public key" },
    transports: { erasure: 'delete_row', holds: 'how the authenticator connects' },
    device_type: { erasure: 'delete_row', holds: 'single- or multi-device' },
    rp_id: { erasure: 'delete_row', holds: 'the relying party the passkey is bound to' },
    aaguid: { erasure: 'delete_row', holds: "the authenticator's model" },
    name: { erasure: 'delete_row', holds: "the person's name for the passkey" },
  },
  password_credential: { hash: { erasure: 'delete_row', holds: "the password's hash" } },
  totp_credential: { secret_sealed: { erasure: 'delete_row', holds: 'the TOTP secret (sealed)' } },
  recovery_code: { code_hash: { erasure: 'delete_row', holds: 'recovery codes (hashed)' } },
  session: {
    ip: { erasure: 'set_null', holds: 'the address a session was opened from' },
    user_agent: { erasure: 'set_null', holds: 'the browser a session was opened in' },
  },
  refresh_token: { token_hash: { erasure: 'delete_row', holds: "the sessions' refresh tokens (hashed)" } },
  mfa_challenge: {
    token_hash: { erasure: 'delete_row', holds: 'a pending second-factor challenge (hashed)' },
    ip: { erasure: 'delete_row', holds: 'the address of the first factor' },
    user_agent: { erasure: 'delete_row', holds: 'the browser of the first factor' },
  },
  invite: {
    email: { erasure: 'delete_row', holds: 'invites addressed to the person or accepted by their accounts' },
    phone: { erasure: 'delete_row', holds: 'invites addressed to the person' },
  },
  magic_link_token: { email: { erasure: 'delete_row', holds: "links sent to the person's email" } },
  otp_challenge: { email: { erasure: 'delete_row', holds: "codes sent to the person's email or phone" } },
  auth_challenge: {
    data: {
      erasure: 'delete_row',
      holds: "a ceremony's memory (the email a login started with, a passkey name)",
    },
  },
  auth_throttle: {
    key: { erasure: 'delete_row', holds: "counters keyed by the person's email, phone or IP address" },
    identifier: { erasure: 'delete_row', holds: "the person's email or phone" },
  },
  send_counter: {
    key: { erasure: 'delete_row', holds: "counters keyed by the person's email, phone or IP address" },
  },
  oauth_flow: {
    identity: {
      erasure: 'delete_row',
      holds:
        'what a provider proved at a social sign-in (subject, email, name), for 2 minutes; links the person started',
    },
  },
  rate_limit_counter: {
    key: { erasure: 'expires', holds: "request counts keyed by a client's IP address (/64), for 10 minutes" },
  },
  idempotency_key: {
    body: {
      erasure: 'delete_row',
      holds: 'a stored answer (a provisioned account, with its email) for 24 hours',
    },
  },
  // The mail outbox (#16): a queued message, sealed (AES-256-GCM), deleted once delivered or given up
  // (hours at most, with the retries): not chased by an erasure, which could not tell whose it is unsealed.
  outbound_message: {
    payload_sealed: {
      erasure: 'expires',
      holds: 'a queued mail (recipient, subject, bodies with a code or link), sealed, until delivered',
    },
  },
  audit_event: {
    ip: { erasure: 'erase_in_event', holds: 'the address a request came from' },
    user_agent: { erasure: 'erase_in_event', holds: 'the browser a request came from' },
    details: { erasure: 'erase_in_event', holds: 'email, phone, address, subject, display name keys' },
    personal_salt: { erasure: 'erase_in_event', holds: "the commitment's salt (deleted with the values)" },
  },
};

/** Columns that hold content but no personal data, and why. */
export const notPersonalData: Record<string, Record<string, string>> = {
  // Per-tenant usage counters (#15).
  usage_counter: { metric: 'a metric name' },
  // Machine clients (#18): a tenant's applications, not persons.
  application: {
    client_id: "an application's public id",
    name: "the admin's label for an application",
    description: "the admin's note about an application",
    scopes: 'action names',
    secret_hash: "an application's secret (hashed), not a person's",
    secret_prefix: "an application secret's public prefix",
    token_endpoint_auth_method: 'an authentication method name',
    jwks: "an application's public keys",
    jwks_uri: "the URL of an application's public keys",
  },
  revoked_client_token: { jti: "a revoked application token's random id" },
  used_client_assertion: { jti: "an application's client assertion id" },
  // The KYC module (#16): the tenant's provider settings and the verification's state; the person is the
  // person_id column (a pseudonym once erased), and the documents stay with the provider.
  kyc_setting: {
    provider: 'a provider name',
    group_name: 'a group name of the tenant',
    template_id: "the tenant's provider template id",
    environment_id: "the tenant's provider environment id",
    api_key_sealed: "the tenant's provider API key (sealed)",
    webhook_secret_sealed: "the tenant's webhook secret (sealed)",
  },
  kyc_session: {
    provider: 'a provider name',
    status: 'a status word',
    token_hash: "the development page's random token (hashed)",
  },
  kyc_provider_event: { provider: 'a provider name', event_id: "the provider's random event id" },
  // Messaging (#16): the tenant's sender settings and its own templates, not persons'.
  messaging_setting: {
    smtp_url: "the tenant's SMTP server (without its password)",
    smtp_password_sealed: "the tenant's SMTP password (sealed)",
    from_address: "the tenant's sender address",
    default_locale: 'a language tag',
    sms_gateway_url: "the tenant's SMS gateway",
    sms_gateway_token_sealed: "the tenant's SMS gateway token (sealed)",
    sms_from: "the tenant's SMS sender id",
  },
  message_template: {
    kind: 'a message kind',
    locale: 'a language tag',
    subject: "the tenant's template text",
    text_body: "the tenant's template text",
    html_body: "the tenant's template text",
  },
  outbound_message: { kind: 'a message kind' },
  person_verification: { status: 'a status word' },
  // Social sign-in (#17): the tenant's provider settings; a flow's random values.
  oauth_setting: {
    providers: "the tenant's providers (client ids, issuers, sealed secrets)",
    redirect_urls: "the tenant's app URLs",
  },
  oauth_flow: {
    provider: 'a provider name',
    state_hash: 'a random state (hashed)',
    code_verifier: 'a random PKCE verifier',
    nonce: 'a random nonce',
    redirect_uri: "one of the tenant's app URLs",
    intent: 'sign_in or link',
    code_hash: 'a random exchange code (hashed)',
    client_challenge: "the app's S256 code challenge (a hash of a random verifier)",
  },
  // Outbound webhooks (#16): the tenant's endpoints; events carry ids and what changed (the catalogue has
  // no email, phone, address or name), and receivers' answers are the tenant's systems'.
  webhook_endpoint: {
    url: "the tenant's receiver",
    description: "the admin's note about an endpoint",
    event_types: 'event type names',
    secret_sealed: "the endpoint's signing secret (sealed)",
    previous_secret_sealed: "the endpoint's previous signing secret (sealed)",
    disabled_reason: 'why Enforcer disabled an endpoint',
  },
  webhook_event: {
    type: 'an event type',
    payload: 'ids and what changed (roles, group names, statuses): no contact details, by the catalogue',
  },
  webhook_delivery: {
    event_type: 'an event type',
    status: 'a status word',
    response_body: "the tenant receiver's answer (1 KB)",
  },
  account: {
    role: 'a role name of the tenant',
    roles: 'role names of the tenant',
    status: 'a status word',
    status_changed_by: "the admin's account or API key id",
  },
  api_key: {
    name: "the admin's label for a key",
    prefix: "a key's public prefix",
    key_hash: "a tenant's key (hashed), not a person's",
    role: 'a role name',
  },
  audit_event: {
    actor_type: 'a kind word',
    actor_id: 'a pseudonymous id (account, person, API key): nothing links it to the person once erased',
    action: 'an event type',
    target_type: 'a kind word',
    target_id: 'a pseudonymous id, as actor_id',
    outcome: 'success or failure',
    request_id: 'a random request id',
    prev_hash: 'the chain',
    hash: 'the chain',
    personal_digest: 'a salted commitment: without the salt, nothing leads back to the values',
  },
  auth_challenge: { purpose: 'a ceremony name', value_hash: "a challenge's hash (random)" },
  auth_throttle: { kind: 'a kind word' },
  deletion_request: {
    status: 'a status word',
    processed_by_type: 'a kind word',
    processed_by_id: "the admin's account or API key id (the person's own ids are uuid columns)",
  },
  idempotency_key: { key: "the client's random idempotency key", request_hash: "a request's hash" },
  invite: {
    role: 'a role name',
    roles: 'role names',
    groups: 'group ids',
    code_hash: "an invite code's hash (the invite row goes with the person's)",
  },
  magic_link_setting: { redirect_urls: "the tenant's URLs" },
  magic_link_token: { token_hash: "a link's hash (the row goes with the person's email)" },
  mfa_challenge: { provider: 'a method name', amr: 'method names' },
  mikro_orm_migrations: { name: 'a migration name' },
  otp_challenge: {
    purpose: 'a purpose word',
    code_hash: "a code's hash (the row goes with the person's address)",
  },
  person_identity: { provider: 'a provider name' },
  revocation_event: {
    kind: 'a kind word',
    client_id: "an application's public id",
    jti: "a revoked application token's random id",
  },
  session: { amr: 'method names', revoke_reason: 'a reason word' },
  signing_key: {
    kid: "a signing key's id",
    alg: 'an algorithm',
    public_jwk: "the deployment's public key",
    private_key_iv: "the deployment's key (encrypted)",
    private_key_tag: "the deployment's key (encrypted)",
    private_key_ciphertext: "the deployment's key (encrypted)",
    status: 'a status word',
  },
  tenant: {
    status: 'a status word (active, suspended, pending_deletion)',
    status_reason: "the platform operator's note about a tenant",
    code: "the tenant's code",
    name: "the tenant's name",
    logo_url: "the tenant's logo",
    theme: "the tenant's theme",
    auth_providers: 'method names',
    policy: "the tenant's policy document",
    policy_etag: 'a version tag',
    auth_settings: "the tenant's settings",
    limits: "the tenant's limits",
    allowed_origins: "the tenant's origins",
  },
  tenant_group: {
    name: "a group's name",
    description: "a group's description",
    permissions: 'action names',
  },
};
