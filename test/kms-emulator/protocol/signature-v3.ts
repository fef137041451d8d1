import { createHash, createHmac } from "node:crypto";
import { sm3 } from "sm-crypto-v2";
import type { Params } from "./params";
import { percentEncode } from "./percent-encode";

// Signature v3: ACS3-HMAC-SHA256 (what the SDKs send by default) and ACS3-HMAC-SM3 (the same
// canonical request with SM3 as hash and HMAC; the payload hash still travels in
// x-acs-content-sha256). Other ACS3 variants (ACS3-RSA-SHA256) are refused by name.

export const V3_ALGORITHM = "ACS3-HMAC-SHA256";
export const V3_ALGORITHMS = ["ACS3-HMAC-SHA256", "ACS3-HMAC-SM3"] as const;
export type V3Algorithm = (typeof V3_ALGORITHMS)[number];

export function isV3Algorithm(value: string): value is V3Algorithm {
  return (V3_ALGORITHMS as readonly string[]).includes(value);
}

export interface V3Authorization {
  algorithm: V3Algorithm;
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses `<ACS3-HMAC-SHA256|ACS3-HMAC-SM3> Credential=<AK>,SignedHeaders=<a;b>,Signature=<hex>`; undefined if not that. */
export function parseV3Authorization(header: string | undefined): V3Authorization | undefined {
  const algorithm = header?.split(" ")[0] ?? "";
  if (!header || !isV3Algorithm(algorithm)) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice(algorithm.length + 1).split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKeyId = fields.get("Credential");
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (!accessKeyId || !signedHeaders || !signature) return undefined;
  return { algorithm, accessKeyId, signedHeaders: signedHeaders.split(";"), signature };
}

export function sha256Hex(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The hash an algorithm uses for the canonical request and the payload, hex. */
export function hashHex(algorithm: V3Algorithm, data: Buffer | string): string {
  return algorithm === "ACS3-HMAC-SM3" ? sm3(typeof data === "string" ? Buffer.from(data, "utf8") : data) : sha256Hex(data);
}

/**
 * The v3 canonical request: method, path, sorted encoded query, the signed headers' lines,
 * the signed header list and the payload hash, one per line.
 */
export function canonicalRequestV3(
  method: string,
  path: string,
  query: Params,
  headers: Record<string, string | string[] | undefined>,
  signedHeaders: string[],
  payloadHash: string,
): string {
  const canonicalQuery = Object.keys(query)
    .sort()
    .map((name) => `${percentEncode(name)}=${percentEncode(query[name] ?? "")}`)
    .join("&");
  const headerLines = [...signedHeaders]
    .sort()
    .map((name) => {
      const value = headers[name];
      const text = Array.isArray(value)
        ? [...value]
            .map((v) => v.trim())
            .sort()
            .join(",")
        : (value ?? "").trim();
      return `${name}:${text}\n`;
    })
    .join("");
  return [
    method.toUpperCase(),
    path,
    canonicalQuery,
    headerLines,
    [...signedHeaders].sort().join(";"),
    payloadHash,
  ].join("\n");
}

export function stringToSignV3(canonicalRequest: string, algorithm: V3Algorithm = V3_ALGORITHM): string {
  return `${algorithm}\n${hashHex(algorithm, canonicalRequest)}`;
}

export function signV3(canonicalRequest: string, accessKeySecret: string, algorithm: V3Algorithm = V3_ALGORITHM): string {
  const stringToSign = stringToSignV3(canonicalRequest, algorithm);
  if (algorithm === "ACS3-HMAC-SM3") return sm3(Buffer.from(stringToSign, "utf8"), { key: Buffer.from(accessKeySecret, "utf8") });
  return createHmac("sha256", accessKeySecret).update(stringToSign).digest("hex");
}
