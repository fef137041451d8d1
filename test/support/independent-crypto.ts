import { resolve } from "node:path";
import { builtGoProgram, runJsonLines } from "./go-build";

// Go's AES-256-GCM and SM4-GCM (test/independent-crypto/go), to check the emulator's Encrypt and
// Decrypt against an implementation that shares nothing with it.

export type GcmRequest =
  | { op: "seal"; cipher: string; key: string; iv: string; aad: string; plaintext: string }
  | { op: "open"; cipher: string; key: string; iv: string; aad: string; ciphertext: string };

export interface GcmAnswer {
  /** seal: ciphertext ‖ tag, base64. */
  ciphertext?: string;
  plaintext?: string;
  error?: string;
}

export function independentGcm(): Promise<string> {
  return builtGoProgram(resolve(__dirname, "../independent-crypto/go"), "gcm-check", "independent-crypto");
}

/** Runs the program once over all requests (one answer each, in order). */
export function runGcm(binary: string, requests: GcmRequest[]): Promise<GcmAnswer[]> {
  return runJsonLines<GcmAnswer>(binary, `${requests.map((r) => JSON.stringify(r)).join("\n")}\n`);
}
