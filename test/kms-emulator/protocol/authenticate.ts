import { timingSafeEqual } from "node:crypto";
import { errors } from "../errors";
import { NonceCache } from "./nonce-cache";
import type { Params } from "./params";
import { signV1, stringToSignV1 } from "./signature-v1";
import { canonicalRequestV3, hashHex, parseV3Authorization, signV3, stringToSignV3, type V3Algorithm, type V3Authorization } from "./signature-v3";

export interface AccessKey {
  accessKeyId: string;
  accessKeySecret: string;
  /** Present for STS credentials: every request must carry exactly this token. */
  securityToken?: string;
  /** Actions this identity is not allowed to call (answers Forbidden.NoPermission / AccessDeniedError). */
  deniedActions?: string[];
}

export interface SignedRequest {
  method: string;
  path: string;
  query: Params;
  /** Query and form body together: what signature v1 covers. */
  params: Params;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface Caller {
  accessKey: AccessKey;
  /** How the request was signed: HMAC-SHA1 (signature v1), or the v3 algorithm named in its Authorization header. */
  signature: "HMAC-SHA1" | V3Algorithm;
}

/** How far a request's timestamp may be from the server's clock, and how long a nonce is remembered. */
export const REPLAY_WINDOW_MS = 15 * 60 * 1000;

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

export class Authenticator {
  private readonly nonces = new NonceCache(REPLAY_WINDOW_MS);

  constructor(
    private readonly accessKeys: ReadonlyMap<string, AccessKey>,
    private readonly now: () => number = Date.now,
  ) {}

  authenticate(request: SignedRequest): Caller {
    const authorization = header(request, "authorization");
    const v3 = parseV3Authorization(authorization);
    if (v3) return this.authenticateV3(request, v3);
    // A header-signed request in a scheme not served here (ACS4-HMAC-SHA256, ACS3-RSA-SHA256, …) is
    // refused by name: falling back to v1 would report a misleading MissingParameter AccessKeyId.
    if (authorization !== undefined) throw errors.unsupportedSignatureMethod(authorization.split(" ")[0]!.slice(0, 40));
    return this.authenticateV1(request);
  }

  private authenticateV1(request: SignedRequest): Caller {
    const { params } = request;
    const accessKey = this.lookup(params.AccessKeyId, "AccessKeyId");
    if (params.SignatureMethod !== "HMAC-SHA1") {
      if (!params.SignatureMethod) throw errors.missingParameter("SignatureMethod");
      throw errors.unsupportedSignatureMethod(params.SignatureMethod);
    }
    const timestamp = this.checkTimestamp(params.Timestamp);
    if (!params.SignatureNonce) throw errors.missingParameter("SignatureNonce");
    if (!params.Signature) throw errors.missingParameter("Signature");
    const expected = signV1(request.method, params, accessKey.accessKeySecret);
    if (!constantTimeEquals(expected, params.Signature)) {
      throw errors.signatureMismatch(stringToSignV1(request.method, params));
    }
    this.checkSecurityToken(accessKey, params.SecurityToken);
    this.checkNonce(accessKey, params.SignatureNonce, timestamp);
    return { accessKey, signature: "HMAC-SHA1" };
  }

  private authenticateV3(request: SignedRequest, { algorithm, accessKeyId, signedHeaders, signature }: V3Authorization): Caller {
    const accessKey = this.lookup(accessKeyId, "Credential");
    const timestamp = this.checkTimestamp(header(request, "x-acs-date"));
    const nonce = header(request, "x-acs-signature-nonce");
    if (!nonce) throw errors.missingParameter("x-acs-signature-nonce");
    // The action and version may come from these headers: unsigned, they could be swapped in transit.
    for (const required of ["host", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256", "x-acs-action", "x-acs-version"]) {
      if (!signedHeaders.includes(required)) {
        throw errors.invalidParameter("SignedHeaders", `The header "${required}" must be signed.`);
      }
    }
    const payloadHash = hashHex(algorithm, request.body);
    const canonical = canonicalRequestV3(
      request.method,
      request.path,
      request.query,
      request.headers,
      signedHeaders,
      payloadHash,
    );
    // The declared payload hash is signed; it must also be the hash of the body that arrived.
    if (
      header(request, "x-acs-content-sha256") !== payloadHash ||
      !constantTimeEquals(signV3(canonical, accessKey.accessKeySecret, algorithm), signature)
    ) {
      throw errors.signatureMismatch(stringToSignV3(canonical, algorithm));
    }
    this.checkSecurityToken(accessKey, header(request, "x-acs-security-token"));
    this.checkNonce(accessKey, nonce, timestamp);
    return { accessKey, signature: algorithm };
  }

  private lookup(accessKeyId: string | undefined, name: string): AccessKey {
    if (!accessKeyId) throw errors.missingParameter(name);
    const accessKey = this.accessKeys.get(accessKeyId);
    if (!accessKey) throw errors.unknownAccessKey();
    return accessKey;
  }

  /** The request's time, once it is known to be within the window. */
  private checkTimestamp(timestamp: string | undefined): number {
    if (!timestamp) throw errors.missingTimestamp();
    if (!TIMESTAMP.test(timestamp)) throw errors.malformedTimestamp();
    const at = Date.parse(timestamp);
    if (Number.isNaN(at)) throw errors.malformedTimestamp();
    if (Math.abs(this.now() - at) > REPLAY_WINDOW_MS) throw errors.expiredTimestamp();
    return at;
  }

  private checkSecurityToken(accessKey: AccessKey, token: string | undefined): void {
    if (accessKey.securityToken === undefined) {
      if (token) throw errors.securityTokenMismatch();
      return;
    }
    if (!token) throw errors.missingSecurityToken();
    if (!constantTimeEquals(accessKey.securityToken, token)) throw errors.securityTokenMismatch();
  }

  private checkNonce(accessKey: AccessKey, nonce: string, timestamp: number): void {
    if (!this.nonces.remember(`${accessKey.accessKeyId}\n${nonce}`, this.now(), timestamp)) throw errors.nonceUsed();
  }
}

function header(request: SignedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function constantTimeEquals(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
