import { randomBytes, randomUUID } from "node:crypto";
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { isIntegrityText } from "../crypto/integrity-tag";
import { reveal, secret } from "./wire-values";

// The stack's integrity key (crypto/integrity-tag.ts): 32 random bytes drawn when the stack's first
// value is created, kept as this resource's only output, always as a Pulumi secret, so the stack's
// secrets provider encrypts it in state. The SDK refuses it when state holds it in clear (someone
// wrote it there) and hands it to every value, whose provider derives the value's own key from it.
// Check returns no randomness (plans compare checked inputs between preview and up); create draws it.

export class IntegrityKeyProvider implements dynamic.ResourceProvider {
  async check(): Promise<dynamic.CheckResult> {
    return { inputs: {} };
  }

  async diff(): Promise<dynamic.DiffResult> {
    return { changes: false };
  }

  async create(): Promise<dynamic.CreateResult> {
    return { id: randomUUID(), outs: { key: secret(randomBytes(32).toString("base64url")) } };
  }

  async read(id: string, props: Record<string, unknown>): Promise<dynamic.ReadResult> {
    // Nothing outside the state holds it. Returned as a secret whatever the request carried (the
    // host receives secrets unwrapped); one of another shape is dropped, and the SDK says so.
    const key = reveal(props.key);
    return { id, props: isIntegrityText(key) ? { key: secret(key) } : {} };
  }

  async delete(): Promise<void> {
    // Only state holds it.
  }
}
