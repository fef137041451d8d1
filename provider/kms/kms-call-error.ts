import { CredentialsUnavailableError } from "./credentials";

// A failed KMS call reduced to data: the KMS error code, HTTP status and request ID. The SDK's own
// error objects are never passed on: after a network failure they carry the last request, whose
// query holds the plaintext and the signature.

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ENOTFOUND", "ECONNABORTED", "EHOSTUNREACH", "ENETUNREACH"]);
const THROTTLING = /^(Throttling|Rejected\.Throttling|ServiceUnavailableTemporary)/;

// The KMS messages a user may be shown: the documented (and emulated) texts, whose variable parts
// are only names, codes and numbers. Any other message KMS (or something claiming to be KMS) sends
// is kept for classification but never shown: it could quote a request's parameters.
const ID = "[A-Za-z0-9_./-]{1,64}";
const SHOWABLE = [
  /^The specified (Key|Alias|KeyVersion|Key version|certificate|Certificate) is not found\.$/,
  new RegExp(`^The specified parameter "?${ID}"? is not valid\\.(?: It must be Base64-encoded\\.| It must not be empty\\.` +
    `| It is \\d+ bytes; the limit for this key and algorithm is \\d+\\.| ${ID} is not valid for ${ID} \\(valid: [A-Z0-9_, ]+\\)\\.)?$`),
  new RegExp(`^Specified parameter ${ID} is not valid\\.$`),
  new RegExp(`^Unsupported operation\\.(?: The operation is not supported for a ${ID} key\\.` +
    `| The key usage is ${ID}; encryption needs ENCRYPT/DECRYPT\\.| The certificate is [A-Z]+; only an ACTIVE certificate can be used\\.)?$`),
  /^The key is (disabled|pending deletion|pending import of key material)\.$/,
  /^The specified ciphertext is invalid or was not encrypted under this key\.$/,
  /^Request was denied due to request throttling\.$/,
  /^Internal error occurs, please retry later\.$/,
  new RegExp(`^This operation for ${ID} is forbidden by permission system\\.$`),
];

export class KmsCallError extends Error {
  constructor(
    readonly action: string,
    /** KMS's error code (e.g. Forbidden.KeyNotFound), or NetworkError when no answer came. */
    readonly code: string,
    /**
     * KMS's own message, free of the SDK's "code: …, requestid: …" wrapping, for classification;
     * show `shownMessage` instead. For this package's own codes (CredentialsUnavailable,
     * UnusablePublicKey, NetworkError, InvalidRegion) it is this package's text.
     */
    readonly kmsMessage: string,
    readonly httpStatus?: number,
    readonly requestId?: string,
  ) {
    super(`${action}: ${code}${requestId ? ` [RequestId ${requestId}]` : ""}`);
    this.name = "KmsCallError";
  }

  /** KMS's message when it is one of the documented texts, else "". */
  get shownMessage(): string {
    return this.kmsMessage.length <= 300 && SHOWABLE.some((text) => text.test(this.kmsMessage)) ? this.kmsMessage : "";
  }

  get throttled(): boolean {
    return THROTTLING.test(this.code);
  }

  /** Worth another attempt: throttling, a 5xx answer, or no answer at all. */
  get retryable(): boolean {
    return this.throttled || this.code === "NetworkError" || (this.httpStatus ?? 0) >= 500;
  }
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** Converts whatever the SDK threw into a KmsCallError, keeping nothing but the facts above. */
export function fromSdkError(action: string, error: unknown): KmsCallError {
  const e = (typeof error === "object" && error !== null ? error : {}) as Record<string, unknown>;
  const data = (typeof e.data === "object" && e.data !== null ? e.data : {}) as Record<string, unknown>;
  const code = text(data.Code) || text(data.code);
  if (code) {
    const status = /code: (\d{3})/.exec(text(e.message));
    return new KmsCallError(action, code, text(data.Message) || text(data.message), status ? Number(status[1]) : undefined,
      text(data.RequestId) || undefined);
  }
  // No credentials (credentials.ts says why, in our words): not a KMS answer, not retryable.
  if (error instanceof CredentialsUnavailableError) return new KmsCallError(action, "CredentialsUnavailable", error.message);
  const errno = text(e.code);
  if (NETWORK_CODES.has(errno) || /timeout|socket hang up|UnretryableError/i.test(`${text(e.name)} ${text(e.message)}`)) {
    return new KmsCallError(action, "NetworkError", errno || text(e.name) || "no answer");
  }
  // Anything else (e.g. a non-JSON body from a proxy) is reported by its name only.
  return new KmsCallError(action, "NetworkError", text(e.name) || "unexpected response");
}
