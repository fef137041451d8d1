import { randomBytes, randomUUID } from "node:crypto";
import type * as dynamic from "@pulumi/pulumi/dynamic";

// The stack's digest salt: 32 random bytes drawn once, when the stack's first EncryptedValue is
// created, and kept as this resource's only output. The SDK salts every value's plaintext digest
// with it and the value's URN (crypto/plaintext-digest.ts), so no digest table can be computed
// before the stack exists, and none serves two stacks.
//
// Not a secret: it is a salt, and the Node SDK prints every output in clear anyway (in `pulumi up
// --json`). Check returns no randomness (plans compare checked inputs between preview and up);
// create draws it, and nothing ever changes it.

export class DigestSaltProvider implements dynamic.ResourceProvider {
  async check(): Promise<dynamic.CheckResult> {
    return { inputs: {} };
  }

  async diff(): Promise<dynamic.DiffResult> {
    return { changes: false };
  }

  async create(): Promise<dynamic.CreateResult> {
    return { id: randomUUID(), outs: { salt: randomBytes(32).toString("base64url") } };
  }

  async read(id: string, props: Record<string, unknown>): Promise<dynamic.ReadResult> {
    // Nothing outside the state holds it. (An edited salt is only ever hashed; it re-encrypts the
    // values once, under new digests.)
    return { id, props: { salt: props.salt } };
  }

  async delete(): Promise<void> {
    // Only state holds it.
  }
}
