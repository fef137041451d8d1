import { CredentialsUnavailableError } from "./credentials";

// A failed KMS call reduced to data: the KMS error code, HTTP status and request ID. The SDK's own
// error objects are never passed on: after a network failure they carry the last request, whose
// query holds the plaintext and the signature.

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EAI_AGAIN", "ENOTFOUND", "ECONNABORTED", "EHOSTUNREACH", "ENETUNREACH"]);
const THROTTLING = /^(Throttling|Rejected\.Throttling|ServiceUnavailableTemporary)/;

export class KmsCallError extends Error {
  constructor(
    readonly action: string,
    /** KMS's error code (e.g. Forbidden.KeyNotFound), or NetworkError when no answer came. */
    readonly code: string,
    /** KMS's own message, already free of the SDK's "code: …, requestid: …" wrapping. */
    readonly kmsMessage: string,
    readonly httpStatus?: number,
    readonly requestId?: string,
  ) {
    super(`${action}: ${code}${kmsMessage ? ` (${kmsMessage})` : ""}${requestId ? ` [RequestId ${requestId}]` : ""}`);
    this.name = "KmsCallError";
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
