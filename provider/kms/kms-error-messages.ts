import { printable } from "./identifiers";
import { KmsCallError } from "./kms-call-error";

// Turns a failed KMS call into the sentence a user reads: the property and value it concerns, the
// KMS code, and what to do about it. No stack, no request parameters.

/**
 * How the reader of a message sets what it may be told to fix. A stack sets them as config keys;
 * an application calling decrypt() as its options and environment; an operator as CLI flags and
 * environment. A message names only what its reader has.
 */
export interface SettingNames {
  /** Where the region comes from, e.g. "alicloud-kms:region". */
  region: string;
  /** Where the endpoint comes from, e.g. "alicloud-kms:endpoint". */
  endpoint: string;
  /** What to do when there are no credentials: one sentence. */
  credentials: string;
  /** The reader's names for the config keys resolveSettings reports problems against. */
  configKeys: Record<string, string>;
}

/** A Pulumi stack's names: its config keys (and the environment the provider process inherits). */
export const STACK_SETTING_NAMES: SettingNames = {
  region: "alicloud-kms:region (or alicloud:region, ALIBABA_CLOUD_REGION_ID)",
  endpoint: "alicloud-kms:endpoint",
  credentials: "Set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, alicloud:accessKey and alicloud:secretKey " +
    "(as a secret), or alicloud:profile, or run with a RAM role",
  configKeys: {},
};

export interface ErrorContext {
  /** The input property the call was about (keyId, keyVersionId, certificateId, algorithm, …). */
  property: string;
  /** Its value as the user wrote it (an ID, never a secret). */
  value: string;
  region: string;
  /** Where the credentials came from, e.g. "alicloud:accessKey" (never their value). */
  credentialsFrom: string;
  /** Where the access key's secret came from, e.g. "alicloud:secretKey", when it is a static key. */
  secretFrom?: string;
  endpoint: string;
  /** The KMS instance (kst-…) the key lives in, when known. */
  kmsInstanceId?: string;
  /** How the reader sets region, endpoint and credentials. */
  names: SettingNames;
}

type Hint = (e: KmsCallError, c: ErrorContext) => string;

/** What to do about a key that is not Enabled, by KeyState (also KMS's Rejected.<KeyState> codes). */
export const keyStateHints: Record<string, string> = {
  Disabled: "the key is disabled; enable it (EnableKey) or choose another key",
  PendingDeletion: "the key is pending deletion; cancel it (CancelKeyDeletion) or choose another key",
  PendingImport: "the key's material has not been imported yet; import it or choose another key",
};

/** A certificate's ID: a UUID (key IDs are key-… or, for older keys, UUIDs too). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * No such key: what to check depends on what was given. An ARN names its own region; a UUID given
 * as keyId may be a certificate's ID.
 */
function keyNotFound(c: ErrorContext): string {
  if (c.value.startsWith("acs:")) return `no such key in region ${c.region} (the ARN's); check the key ID and the region in the ARN`;
  const certificate = c.property === "keyId" && UUID.test(c.value) ? "; if it is a certificate's ID, pass it as certificateId" : "";
  return `no such key in region ${c.region}; check the key ID, or the region (${c.names.region}, or pass the key's ARN)${certificate}`;
}

const hints: Record<string, Hint> = {
  "Forbidden.KeyNotFound": (_, c) => keyNotFound(c),
  "Forbidden.AliasNotFound": (_, c) => `no such alias in region ${c.region}; create the alias or fix its name`,
  "Certificate.NotFound": (_, c) => `no such certificate in region ${c.region}; check the certificate ID and the region`,
  "Forbidden.KeyVersionNotFound": () => "no such version of this key; omit keyVersionId to follow the key's current version, or use one from ListKeyVersions",
  // What KMS answered before its error table named Forbidden.KeyVersionNotFound (still accepted).
  "Forbidden.ResourceNotFound": () => "no such version of this key; omit keyVersionId to follow the key's current version, or use one from ListKeyVersions",
  "InvalidAction.NotFound": (e) => CERTIFICATE_ACTIONS.has(e.action)
    ? `KMS in this region or account does not offer ${e.action} (Certificates Manager's API); encrypt with a key (keyId) instead`
    : `KMS does not offer ${e.action} here`,
  NotText: () => "the plaintext is not UTF-8 text, which Encrypt carries as it is; give it as text, or set envelope: true for binary data",
  NoKeyVersion: () => "no key version to use (KMS named none); set keyVersionId, or check the key with ListKeyVersions",
  ...Object.fromEntries(Object.entries(keyStateHints).map(([state, hint]) => [`Rejected.${state}`, () => hint])),
  "Rejected.UnsupportedOperation": (e) =>
    `KMS refuses this for it${e.shownMessage ? ` (${e.shownMessage})` : ""}; use an ENCRYPT/DECRYPT asymmetric key or an ACTIVE certificate`,
  InvalidParameter: (e) =>
    `KMS rejected the request${e.shownMessage ? ` (${e.shownMessage})` : ""}; check algorithm against the key spec and the plaintext size`,
  "Forbidden.NoPermission": (e, c) => `the credentials from ${c.credentialsFrom} may not call kms:${e.action}; grant it in RAM`,
  AccessDeniedError: (e, c) => `the credentials from ${c.credentialsFrom} may not call kms:${e.action}; grant it in RAM`,
  "InvalidAccessKeyId.NotFound": (_, c) => `KMS does not know the access key from ${c.credentialsFrom}; check it`,
  "InvalidAccessKeyId.Inactive": (_, c) => `the access key from ${c.credentialsFrom} is disabled; enable it or use another`,
  SignatureDoesNotMatch: (_, c) => c.secretFrom
    ? `KMS refused the request signature; check the access key secret in ${c.secretFrom} (it must be the secret of the access key ID in ${c.credentialsFrom})`
    : `KMS refused the request signature; check the access key secret from ${c.credentialsFrom}`,
  "InvalidSecurityToken.Expired": (_, c) => `the STS token from ${c.credentialsFrom} has expired; renew it`,
  "InvalidTimeStamp.Expired": () => "KMS saw a request timestamp over 15 minutes off; fix this machine's clock",
  CredentialsUnavailable: (e, c) => `${e.kmsMessage || "no usable credentials"}. ${c.names.credentials}`,
  UnusablePublicKey: (e) => `${e.kmsMessage}; encrypt through KMS instead (encryptLocally: false)`,
  InvalidRegion: (_, c) => `${printable(c.region)} is not a region ID (like cn-hangzhou); nothing was sent`,
  NetworkError: (e, c) => `no answer from ${c.endpoint}${e.kmsMessage ? ` (${e.kmsMessage})` : ""} after retries; check ${c.names.endpoint} and the network`,
};

const CERTIFICATE_ACTIONS = new Set(["DescribeCertificate", "CertificatePublicKeyEncrypt", "CertificatePrivateKeyDecrypt", "GetCertificate"]);
const CRYPTOGRAPHIC_ACTIONS = new Set(["AsymmetricEncrypt", "AsymmetricDecrypt", "GetPublicKey"]);

/** Answers that mean "not let through", as opposed to "no such thing" or "not valid". */
function isRefusal(e: KmsCallError): boolean {
  return e.code === "NetworkError" || /^(Forbidden\.NoPermission|AccessDenied|InvalidAccessKeyId|Forbidden\.(?!KeyNotFound|AliasNotFound|KeyVersionNotFound|ResourceNotFound))/.test(e.code) ||
    e.httpStatus === 403;
}

/**
 * KMS 3.0 keys live in KMS instances. DescribeKey works from anywhere; their cryptographic calls
 * reach the instance through kms.<region>.aliyuncs.com only when its owner enabled Internet access,
 * and through kms-vpc.<region>.aliyuncs.com from its VPC. How a refusal looks is undocumented, so
 * any refusal of such a call on an instance key says both ways out.
 */
function instanceNote(e: KmsCallError, c: ErrorContext): string {
  if (!c.kmsInstanceId || !CRYPTOGRAPHIC_ACTIONS.has(e.action) || !isRefusal(e)) return "";
  return `. The key lives in KMS instance ${c.kmsInstanceId}: from outside its VPC, its cryptographic calls go through only when ` +
    `Internet access is enabled for ${c.kmsInstanceId} (KMS console); from inside the VPC, set ${c.names.endpoint} to ` +
    `https://kms-vpc.${c.region}.aliyuncs.com. Older Alibaba pages add that instance keys accept only RAM roles (ECS, FC), not AccessKeys`;
}

function fallback(e: KmsCallError): string {
  if (/^(Throttling|Rejected\.Throttling)/.test(e.code)) return "KMS kept throttling after bounded retries; run with a lower --parallel or retry later";
  if ((e.httpStatus ?? 0) >= 500) return `KMS failed after bounded retries${e.requestId ? ` (RequestId ${e.requestId})` : ""}; retry later`;
  return `${e.shownMessage || "KMS refused the request"}${e.requestId ? ` (RequestId ${e.requestId})` : ""}`;
}

export function describeKmsError(e: KmsCallError, c: ErrorContext): string {
  const hint = hints[e.code]?.(e, c) ?? fallback(e);
  const subject = c.value ? `${c.property} '${c.value}'` : c.property;
  return `${subject}: ${e.code} — ${hint}${instanceNote(e, c)}`;
}

export function isKmsCallError(e: unknown): e is KmsCallError {
  return e instanceof KmsCallError;
}
