// The shapes KMS identifiers take. Every identifier that arrives from outside (a program's inputs,
// an envelope, decrypt()'s options, the CLI's flags, state read back by refresh) is checked here
// before it reaches a host name, a request or a message: a region chooses the host the signed
// request goes to, so anything but a plain region ID is an attempt to send it elsewhere.
//
//   region          cn-hangzhou, ap-southeast-1, cn-shanghai-finance-1
//   key / version / certificate ID   key-hzz62f1cb66fa42qo…, UUIDs (letters, digits, - and _)
//   alias           alias/<letters, digits, _, -, / and :>
//   ARN             acs:kms:<region>:<account digits>:key/<key ID> or …:alias/<alias name>

const REGION_ID = /^[a-z]{2}(?:-[a-z0-9]{1,20}){1,4}$/;
const RESOURCE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
const ALIAS_NAME = /^alias\/[A-Za-z0-9_/:-]{1,255}$/;
const ACCOUNT_ID = /^\d{1,20}$/;

export function isRegionId(value: unknown): value is string {
  return typeof value === "string" && REGION_ID.test(value);
}

/** A key ID, key version ID or certificate ID as KMS issues them. */
export function isResourceId(value: unknown): value is string {
  return typeof value === "string" && RESOURCE_ID.test(value);
}

export type KeyReference =
  | { kind: "id"; keyId: string }
  | { kind: "alias"; alias: string }
  | { kind: "arn"; region: string; accountId: string; keyId?: string; alias?: string };

/** What `keyId` may be: a key ID, `alias/<name>`, or a key or alias ARN. A string says what is wrong. */
export function parseKeyReference(value: string): KeyReference | string {
  if (value.startsWith("acs:")) {
    const parts = value.split(":");
    const [, service, region, accountId] = parts;
    const resource = parts.slice(4).join(":"); // an alias name may itself hold colons
    if (parts.length < 5 || service !== "kms") return "is not a KMS ARN; use acs:kms:<region>:<account>:key/<key ID>";
    if (!isRegionId(region)) return "has no valid region in its ARN (acs:kms:<region>:<account>:key/<key ID>)";
    if (!ACCOUNT_ID.test(accountId ?? "")) return "has no valid account ID in its ARN (acs:kms:<region>:<account>:key/<key ID>)";
    if (resource.startsWith("key/") && isResourceId(resource.slice(4))) return { kind: "arn", region, accountId: accountId!, keyId: resource.slice(4) };
    if (ALIAS_NAME.test(resource)) return { kind: "arn", region, accountId: accountId!, alias: resource };
    return "names neither key/<key ID> nor alias/<name> in its ARN";
  }
  if (value.startsWith("alias/")) return ALIAS_NAME.test(value) ? { kind: "alias", alias: value } : "is not a valid alias (alias/ then letters, digits, _, -, / or :)";
  return isResourceId(value) ? { kind: "id", keyId: value } : "is not a key ID, alias/<name> or key ARN";
}

/** The region a key reference pins, if any: an ARN's region wins over the configured one. */
export function regionOfKeyReference(value: string): string | undefined {
  const reference = parseKeyReference(value);
  return typeof reference === "object" && reference.kind === "arn" ? reference.region : undefined;
}

/**
 * A value that failed these checks, fit to quote in a message: control and other non-printable
 * characters escaped (they could rewrite the terminal line or the log), and at most `max` characters.
 */
export function printable(value: unknown, max = 64): string {
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  const escaped = [...text.slice(0, max)]
    .map((c) => (/^[\x20-\x7e]$/.test(c) && c !== "'" && c !== "\\" ? c : `\\u{${c.codePointAt(0)!.toString(16)}}`))
    .join("");
  return `'${escaped}'${text.length > max ? "…" : ""}`;
}
