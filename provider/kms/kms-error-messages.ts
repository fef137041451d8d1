import { printable } from "./identifiers";
import { KmsCallError } from "./kms-call-error";

// Turns a failed KMS call into the sentence a user reads: the property and value it concerns, the
// KMS code, and what to do about it. No stack, no request parameters.

export interface ErrorContext {
  /** The input property the call was about (keyId, keyVersionId, certificateId, algorithm, …). */
  property: string;
  /** Its value as the user wrote it (an ID, never a secret). */
  value: string;
  region: string;
  /** Where the credentials came from, e.g. "alicloud:accessKey" (never their value). */
  credentialsFrom: string;
  endpoint: string;
}

type Hint = (e: KmsCallError, c: ErrorContext) => string;

/** What to do about a key that is not Enabled, by KeyState (also KMS's Rejected.<KeyState> codes). */
export const keyStateHints: Record<string, string> = {
  Disabled: "the key is disabled; enable it (EnableKey) or choose another key",
  PendingDeletion: "the key is pending deletion; cancel it (CancelKeyDeletion) or choose another key",
  PendingImport: "the key's material has not been imported yet; import it or choose another key",
};

const hints: Record<string, Hint> = {
  "Forbidden.KeyNotFound": (_, c) => `no such key in region ${c.region}; check the key ID, or the region (alicloud-kms:region, or pass the key's ARN)`,
  "Forbidden.AliasNotFound": (_, c) => `no such alias in region ${c.region}; create the alias or fix its name`,
  "Certificate.NotFound": (_, c) => `no such certificate in region ${c.region}; check the certificate ID and the region`,
  "Forbidden.ResourceNotFound": () => "no such version of this key; omit keyVersionId to follow the primary version, or use one from ListKeyVersions",
  ...Object.fromEntries(Object.entries(keyStateHints).map(([state, hint]) => [`Rejected.${state}`, () => hint])),
  "Rejected.UnsupportedOperation": (e) =>
    `KMS refuses this for it${e.shownMessage ? ` (${e.shownMessage})` : ""}; use an ENCRYPT/DECRYPT asymmetric key or an ACTIVE certificate`,
  InvalidParameter: (e) =>
    `KMS rejected the request${e.shownMessage ? ` (${e.shownMessage})` : ""}; check algorithm against the key spec and the plaintext size`,
  "Forbidden.NoPermission": (e, c) => `the credentials from ${c.credentialsFrom} may not call kms:${e.action}; grant it in RAM`,
  AccessDeniedError: (e, c) => `the credentials from ${c.credentialsFrom} may not call kms:${e.action}; grant it in RAM`,
  "InvalidAccessKeyId.NotFound": (_, c) => `KMS does not know the access key from ${c.credentialsFrom}; check it`,
  "InvalidAccessKeyId.Inactive": (_, c) => `the access key from ${c.credentialsFrom} is disabled; enable it or use another`,
  SignatureDoesNotMatch: (_, c) => `KMS refused the request signature; check the access key secret from ${c.credentialsFrom}`,
  "InvalidSecurityToken.Expired": (_, c) => `the STS token from ${c.credentialsFrom} has expired; renew it`,
  "InvalidTimeStamp.Expired": () => "KMS saw a request timestamp over 15 minutes off; fix this machine's clock",
  CredentialsUnavailable: (e) =>
    `${e.kmsMessage || "no usable credentials"}. Set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, ` +
    "alicloud:accessKey and alicloud:secretKey (as a secret), or alicloud:profile, or run with a RAM role",
  UnusablePublicKey: (e) => `${e.kmsMessage}; encrypt through KMS instead (encryptLocally: false)`,
  InvalidRegion: (_, c) => `${printable(c.region)} is not a region ID (like cn-hangzhou); nothing was sent`,
  NetworkError: (e, c) => `no answer from ${c.endpoint}${e.kmsMessage ? ` (${e.kmsMessage})` : ""} after retries; check alicloud-kms:endpoint and the network`,
};

function fallback(e: KmsCallError): string {
  if (/^(Throttling|Rejected\.Throttling)/.test(e.code)) return "KMS kept throttling after bounded retries; run with a lower --parallel or retry later";
  if ((e.httpStatus ?? 0) >= 500) return `KMS failed after bounded retries${e.requestId ? ` (RequestId ${e.requestId})` : ""}; retry later`;
  return `${e.shownMessage || "KMS refused the request"}${e.requestId ? ` (RequestId ${e.requestId})` : ""}`;
}

export function describeKmsError(e: KmsCallError, c: ErrorContext): string {
  const hint = hints[e.code]?.(e, c) ?? fallback(e);
  const subject = c.value ? `${c.property} '${c.value}'` : c.property;
  return `${subject}: ${e.code} — ${hint}`;
}

export function isKmsCallError(e: unknown): e is KmsCallError {
  return e instanceof KmsCallError;
}
