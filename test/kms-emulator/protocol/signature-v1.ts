import { createHmac } from "node:crypto";
import type { Params } from "./params";
import { percentEncode } from "./percent-encode";

/** Signature v1 (HMAC-SHA1): the string the server signs, from every parameter but `Signature`. */
export function stringToSignV1(method: string, params: Params): string {
  const canonical = Object.keys(params)
    .filter((name) => name !== "Signature")
    .sort()
    .map((name) => `${percentEncode(name)}=${percentEncode(params[name] ?? "")}`)
    .join("&");
  return `${method.toUpperCase()}&${percentEncode("/")}&${percentEncode(canonical)}`;
}

export function signV1(method: string, params: Params, accessKeySecret: string): string {
  return createHmac("sha1", `${accessKeySecret}&`).update(stringToSignV1(method, params)).digest("base64");
}
