import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// OpenSSL as the independent judge of the cryptography.

export const openssl = (args: string[], input?: Buffer): Buffer =>
  execFileSync("openssl", args, { stdio: [input ? "pipe" : "ignore", "pipe", "pipe"], ...(input ? { input } : {}) });

const oaep = (hash: string) => ["-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", `rsa_oaep_md:${hash}`, "-pkeyopt", `rsa_mgf1_md:${hash}`];

/** pkeyutl options for each KMS algorithm. */
export const opensslOptions: Record<string, string[]> = {
  RSAES_OAEP_SHA_256: oaep("sha256"),
  RSAES_OAEP_SHA_1: oaep("sha1"),
  SM2PKE: [],
};

/** Decrypts a base64 ciphertext with a private key PEM file, as OpenSSL does it. */
export function opensslDecrypt(privateKeyPem: string, algorithm: string, ciphertextBase64: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), "kms-openssl-"));
  try {
    const input = join(dir, "ciphertext");
    writeFileSync(input, Buffer.from(ciphertextBase64, "base64"));
    return openssl(["pkeyutl", "-decrypt", "-inkey", privateKeyPem, ...(opensslOptions[algorithm] ?? []), "-in", input]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
