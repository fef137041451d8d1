import {
  encryptionContextProblem, isAlgorithm, isRegionId, isResourceId, parseKeyReference, printable, type SettingNames,
} from "../../provider/toolkit";
import { CliError } from "./cli-error";

// How the CLI speaks: the provider's and decrypt()'s messages name inputs and options, while the
// operator typed flags and set environment variables.

/** The operator's names for settings: flags and the environment the CLI reads. */
export const CLI_SETTING_NAMES: SettingNames = {
  region: "--region (or ALIBABA_CLOUD_REGION_ID)",
  endpoint: "ALIBABA_CLOUD_KMS_ENDPOINT",
  credentials: "Set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or ALIBABA_CLOUD_PROFILE, or run with a RAM role",
  configKeys: { "alicloud-kms:region": "--region" },
};

// An output keeps its name ("the value's keyId output"): only inputs become flags.
const FLAG_WORDS: [RegExp, string][] = [
  [/\bkeyVersionId\b(?! outputs?\b)/g, "--key-version-id"],
  [/\bkeyId\b(?! outputs?\b)/g, "--key-id"],
  [/\bcertificateId\b(?! outputs?\b)/g, "--certificate-id"],
  [/^algorithm\b/g, "--algorithm"],
  [/^region\b/g, "--region"],
  [/\bencryptionContext\b(?! outputs?\b)/g, "--encryption-context"],
  [/\(plaintextEncoding\)/g, "(--plaintext-encoding)"],
  [/^(plaintext|ciphertextBlob)\b/g, "the input"],
  [/set envelope: true/gi, "add --envelope"],
  [/\(encryptLocally: false\)|set encryptLocally: false/g, "(drop --local)"],
];

/** A message naming inputs, said in flags. */
export function inFlags(message: string): string {
  return FLAG_WORDS.reduce((m, [word, flag]) => m.replace(word, flag), message);
}

/** The flags that name where a value is (or was) encrypted. */
export interface TargetFlags {
  keyId?: string;
  keyVersionId?: string;
  certificateId?: string;
  algorithm?: string;
  region?: string;
  /** --encryption-context key=value pairs, parsed (symmetric keys). */
  encryptionContext?: Record<string, string>;
}

/** --encryption-context key=value (repeatable) as a map; wrong usage (exit 2) if any pair is not one. */
export function contextFlags(pairs: readonly string[] | undefined): Record<string, string> | undefined {
  if (!pairs || pairs.length === 0) return undefined;
  const context: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new CliError(`--encryption-context ${printable(pair)} is not key=value`, 2);
    const key = pair.slice(0, at);
    if (Object.hasOwn(context, key)) throw new CliError(`--encryption-context names ${printable(key)} twice`, 2);
    context[key] = pair.slice(at + 1);
  }
  const problem = encryptionContextProblem(context);
  if (problem) throw new CliError(`--encryption-context ${problem}`, 2);
  return context;
}

/** Wrong usage (exit 2) for any target flag that is not the shape KMS gives it. */
export function checkTargetFlags(o: TargetFlags): void {
  if (o.algorithm !== undefined && !isAlgorithm(o.algorithm)) {
    throw new CliError(`--algorithm ${printable(o.algorithm)} is not RSAES_OAEP_SHA_256, RSAES_OAEP_SHA_1, SM2PKE or SYMMETRIC_DEFAULT`, 2);
  }
  const shapes: [string, string | undefined, (v: string) => string | undefined][] = [
    ["--key-id", o.keyId, (v) => {
      const reference = parseKeyReference(v);
      return typeof reference === "string" ? reference : undefined;
    }],
    ["--key-version-id", o.keyVersionId, (v) => (isResourceId(v) ? undefined : "is not a key version ID")],
    ["--certificate-id", o.certificateId, (v) => (isResourceId(v) ? undefined : "is not a certificate ID")],
    ["--region", o.region, (v) => (isRegionId(v) ? undefined : "is not a region ID (like cn-hangzhou)")],
  ];
  for (const [flag, value, problem] of shapes) {
    const wrong = value === undefined ? undefined : problem(value);
    if (wrong) throw new CliError(`${flag} ${printable(value)} ${wrong}`, 2);
  }
}
