// An application that only decrypts: no @pulumi/pulumi installed. consumers.test.ts type-checks it
// from the packed package under every module resolution and runs it against the KMS emulator.
import { decrypt, DecryptError, type KeyCiphertext } from "pulumi-alicloud-kms-encrypted/decrypt";

async function main(): Promise<void> {
  const fromEnvelope = await decrypt(process.env.SECRET_ENVELOPE ?? "");
  const bare: KeyCiphertext = {
    ciphertextBlob: process.env.SECRET_CIPHERTEXT ?? "",
    keyId: process.env.SECRET_KEY_ID ?? "",
    keyVersionId: process.env.SECRET_KEY_VERSION_ID ?? "",
    algorithm: "RSAES_OAEP_SHA_256",
    region: process.env.SECRET_REGION ?? "",
  };
  const fromBare = await decrypt(bare);
  process.stdout.write(JSON.stringify({ envelope: fromEnvelope.toString("utf8"), bare: fromBare.toString("utf8") }));
  fromEnvelope.fill(0);
  fromBare.fill(0);
}

main().catch((e: unknown) => {
  process.stderr.write(e instanceof DecryptError ? `${e.code}: ${e.message}\n` : "unexpected failure\n");
  process.exitCode = 1;
});
