import * as pulumi from "@pulumi/pulumi";
import { decodeBase64, digestWithSalt, saltFor } from "../provider/toolkit";

// The plaintext's change-detection digest, computed here in the program instead of in the
// provider's check: the engine runs check for one resource after another, while the program
// digests every value at once before registering it (see plaintext-digest.ts for the figures).
// The provider compares it with the previous digest and computes one itself when none is sent.
// One apply per value: each Output costs the program several promises with captured stacks.

function organization(): string {
  try {
    return pulumi.getOrganization();
  } catch {
    return ""; // engines that send no organization: the stack and project still tell values apart
  }
}

export interface DigestSource {
  /** The plaintext as the resource sends it (a secret Output); at most one of the two. */
  plaintext?: pulumi.Output<string>;
  plaintextBase64?: pulumi.Output<string>;
  changeDetection?: pulumi.Input<string>;
}

/** A secret: the digest of the value named `name`; undefined in trigger mode or without one plaintext. */
export function plaintextDigestInput(name: string, source: DigestSource): pulumi.Output<string | undefined> | undefined {
  const { plaintext, plaintextBase64, changeDetection } = source;
  const carrier = plaintext && plaintextBase64 ? undefined : plaintext ?? plaintextBase64;
  if (!carrier || changeDetection === "trigger") return undefined; // check reports a missing or doubled plaintext
  const salt = saltFor({ organization: organization(), project: pulumi.getProject(), stack: pulumi.getStack(), name });
  const digest = async (value: string, mode: unknown) => {
    const bytes = mode === "trigger" || typeof value !== "string" ? undefined
      : plaintext ? Buffer.from(value, "utf8") : decodeBase64(value);
    if (!bytes || bytes.length === 0) return undefined;
    try {
      return await digestWithSalt(bytes, salt);
    } finally {
      bytes.fill(0);
    }
  };
  // A secret carrier makes the result secret too.
  return typeof changeDetection === "object"
    ? pulumi.all([carrier, changeDetection]).apply(([value, mode]) => digest(value, mode))
    : carrier.apply((value) => digest(value, changeDetection));
}
