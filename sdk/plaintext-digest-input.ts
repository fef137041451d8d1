import * as pulumi from "@pulumi/pulumi";
import { decodeBase64, digestWithSalt, guessableWarning, logicalName, saltFor } from "../provider/toolkit";
import { stackDigestSalt } from "./digest-salt";

// The plaintext's change-detection digest, computed here in the program instead of in the
// provider's check: the engine runs check for one resource after another, while the program
// digests every value at once before registering it. The provider compares it, as a string, with
// the previous one. Salted with the stack's digest salt and the value's URN (crypto/plaintext-digest.ts).

export interface DigestSource {
  /** The plaintext as the resource sends it (a secret Output); at most one of the two. */
  plaintext?: pulumi.Output<string>;
  plaintextBase64?: pulumi.Output<string>;
  changeDetection?: pulumi.Input<string>;
}

/**
 * Digest mode keeps a salted scrypt digest in state: whoever has the stack's secrets can test
 * guesses offline, at about 7–12 ms each on one core (docs/security.md, "Security model"). A short or
 * all-digit plaintext falls to that (a 4-digit PIN in about a minute), so the preview says so,
 * naming the value (and entry), never anything of the plaintext but that it is short or digits.
 */
function warnIfGuessable(bytes: Buffer, urn: string, entry?: string): void {
  const warning = guessableWarning(bytes, logicalName(urn), entry);
  if (warning) pulumi.log.warn(warning);
}

/**
 * A secret: the digest of the value at `valueUrn`. Undefined in trigger mode or without exactly one
 * plaintext (check reports that); unknown while the stack's digest salt is (a first preview).
 */
export function plaintextDigestInput(
  valueUrn: pulumi.Output<string>,
  source: DigestSource,
): pulumi.Output<string | undefined> | undefined {
  const { plaintext, plaintextBase64, changeDetection } = source;
  const carrier = plaintext && plaintextBase64 ? undefined : plaintext ?? plaintextBase64;
  if (!carrier || changeDetection === "trigger") return undefined;
  // A secret carrier makes the result secret too.
  return pulumi.all([carrier, changeDetection, stackDigestSalt(), valueUrn]).apply(async ([value, mode, stackSalt, urn]) => {
    if (mode === "trigger" || typeof value !== "string" || typeof stackSalt !== "string") return undefined;
    const bytes = plaintext ? Buffer.from(value, "utf8") : decodeBase64(value);
    if (!bytes || bytes.length === 0) return undefined;
    try {
      warnIfGuessable(bytes, urn);
      return await digestWithSalt(bytes, saltFor(stackSalt, urn));
    } finally {
      bytes.fill(0);
    }
  });
}

/**
 * A secret: each entry's digest, salted with its name too, as one JSON string of entry name →
 * digest (provider/engine/entries-inputs.ts says why one string). Undefined in trigger mode;
 * unknown while the stack's digest salt is. Every entry is digested at once (scrypt runs on
 * libuv's threads).
 */
export function plaintextDigestsInput(
  valueUrn: pulumi.Output<string>,
  plaintexts: pulumi.Output<Record<string, string>>,
  changeDetection: pulumi.Input<string> | undefined,
): pulumi.Output<string | undefined> | undefined {
  if (changeDetection === "trigger") return undefined;
  return pulumi.all([plaintexts, changeDetection, stackDigestSalt(), valueUrn]).apply(async ([entries, mode, stackSalt, urn]) => {
    if (mode === "trigger" || typeof stackSalt !== "string" || typeof entries !== "object" || entries === null) return undefined;
    const digests = await Promise.all(Object.entries(entries).map(async ([name, value]) => {
      if (typeof value !== "string" || value.length === 0) return undefined;
      const bytes = Buffer.from(value, "utf8");
      try {
        warnIfGuessable(bytes, urn, name);
        return [name, await digestWithSalt(bytes, saltFor(stackSalt, urn, name))] as const;
      } finally {
        bytes.fill(0);
      }
    }));
    return JSON.stringify(Object.fromEntries(digests.filter((d) => d !== undefined)));
  });
}
