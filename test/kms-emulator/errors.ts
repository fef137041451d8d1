// Every error the emulator can answer, as data: HTTP status, KMS code and message.
// Codes and statuses follow ../shared/kms-api.md; those it marks "(unconfirmed)" are noted here too.

export class KmsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "KmsError";
  }
}

const error = (status: number, code: string, message: string) => new KmsError(status, code, message);

export const errors = {
  // Authentication and request envelope.
  unknownAccessKey: () => error(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found."),
  signatureMismatch: (serverStringToSign: string) =>
    error(
      400,
      "SignatureDoesNotMatch",
      `Specified signature is not matched with our calculation. server string to sign is:${serverStringToSign}`,
    ),
  missingTimestamp: () =>
    error(
      400,
      "IllegalTimestamp",
      "The input parameter \"Timestamp\" that is mandatory for processing this request is not supplied.",
    ),
  malformedTimestamp: () =>
    error(400, "InvalidTimeStamp.Format", "Specified time stamp or date value is not well formatted."),
  expiredTimestamp: () =>
    error(400, "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."),
  nonceUsed: () => error(400, "SignatureNonceUsed", "Specified signature nonce was used already."),
  missingSecurityToken: () =>
    error(400, "InvalidSecurityToken.Missing", "The security token is required for STS credentials."),
  securityTokenMismatch: () =>
    error(
      400,
      "InvalidSecurityToken.MismatchWithAccessKey",
      "The security token does not match the access key.",
    ),
  unsupportedSignatureMethod: (method: string) =>
    error(400, "InvalidParameter", `The signature method "${method}" is not supported.`),
  unsupportedAction: (action: string) =>
    error(
      404,
      "InvalidAction.NotFound",
      `Specified api is not found, please check your url and method. Action: ${action}`,
    ),
  unsupportedVersion: (version: string) =>
    error(400, "InvalidVersion", `Specified parameter Version "${version}" is not valid.`),
  missingParameter: (name: string) =>
    error(
      400,
      "MissingParameter",
      `The input parameter "${name}" that is mandatory for processing this request is not supplied.`,
    ),
  invalidParameter: (name: string, why: string) =>
    error(400, "InvalidParameter", `The specified parameter "${name}" is not valid. ${why}`),
  throttled: () => error(400, "Throttling", "Request was denied due to request throttling."),
  noPermission: (action: string) =>
    error(403, "Forbidden.NoPermission", `This operation for ${action} is forbidden by permission system.`),
  internal: () => error(500, "InternalFailure", "Internal error occurs, please retry later."),

  // Resources.
  keyNotFound: () => error(404, "Forbidden.KeyNotFound", "The specified Key is not found."),
  aliasNotFound: () => error(404, "Forbidden.AliasNotFound", "The specified Alias is not found."),
  // The common error table's code; older emulator versions (and maybe older services) answered
  // Forbidden.ResourceNotFound, which Behaviour.keyVersionNotFoundCode can still choose.
  keyVersionNotFound: () => error(404, "Forbidden.KeyVersionNotFound", "The specified Key version is not found."),
  certificateNotFound: () => error(404, "Certificate.NotFound", "The specified certificate is not found."),
  aliasAlreadyExists: () => error(400, "AliasAlreadyExists", "The specified Alias already exists."),

  // Key usage and state.
  unsupportedOperation: (why: string) =>
    error(400, "Rejected.UnsupportedOperation", `Unsupported operation. ${why}`),
  keyDisabled: () => error(409, "Rejected.Disabled", "The key is disabled."),
  keyPendingDeletion: () => error(409, "Rejected.PendingDeletion", "The key is pending deletion."),
  keyPendingImport: () => error(409, "Rejected.PendingImport", "The key is pending import of key material."),
  // (unconfirmed) the code KMS answers for a ciphertext that does not decrypt.
  invalidCiphertext: () =>
    error(
      400,
      "InvalidCiphertext",
      "The specified ciphertext is invalid or was not encrypted under this key.",
    ),

  // DryRun outcomes: a dry run always fails, with one of these.
  dryRunWouldSucceed: () =>
    error(400, "DryRunOperationError", "Request would have succeeded, but DryRun flag is set."),
  dryRunValidation: (cause: KmsError) => error(400, "ValidationError", `${cause.code}: ${cause.message}`),
  dryRunAccessDenied: (cause: KmsError) => error(403, "AccessDeniedError", `${cause.code}: ${cause.message}`),
  // (unconfirmed) The message format of the three is undocumented: this "bare" variant names no inner code.
  dryRunWouldSucceedBare: () => error(400, "DryRunOperationError", "The request would have succeeded if DryRun flag was not set."),
  dryRunValidationBare: () => error(400, "ValidationError", "The request is not valid."),
  dryRunAccessDeniedBare: () => error(403, "AccessDeniedError", "You are not authorized to perform this operation."),
} as const;

/** Any exception that is not a KmsError is an emulator bug; it answers InternalFailure, never a stack. */
export function asKmsError(e: unknown): KmsError {
  return e instanceof KmsError ? e : errors.internal();
}

/**
 * The emulator closes the connection without an answer (a refusal modelled as a network that does
 * not let the call through). The server destroys the socket.
 */
export class ConnectionDropped extends Error {}
