import { createHash, createHmac } from "node:crypto";
import type { Params } from "./params";
import { percentEncode } from "./percent-encode";

export const V3_ALGORITHM = "ACS3-HMAC-SHA256";

export interface V3Authorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

/** Parses `ACS3-HMAC-SHA256 Credential=<AK>,SignedHeaders=<a;b>,Signature=<hex>`; undefined if not v3. */
export function parseV3Authorization(header: string | undefined): V3Authorization | undefined {
  if (!header?.startsWith(`${V3_ALGORITHM} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice(V3_ALGORITHM.length + 1).split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKeyId = fields.get("Credential");
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (!accessKeyId || !signedHeaders || !signature) return undefined;
  return { accessKeyId, signedHeaders: signedHeaders.split(";"), signature };
}

export function sha256Hex(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
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

export function signV3(canonicalRequest: string, accessKeySecret: string): string {
  const stringToSign = `${V3_ALGORITHM}\n${sha256Hex(canonicalRequest)}`;
  return createHmac("sha256", accessKeySecret).update(stringToSign).digest("hex");
}
