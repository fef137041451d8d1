// A Pulumi program as the README shows it, type-checked from the packed package under each module
// resolution TypeScript offers (consumers.test.ts). Never deployed: its types are the point.
import * as pulumi from "@pulumi/pulumi";
import { EncryptedValue, type EncryptedValueArgs } from "pulumi-alicloud-kms-encrypted";
import { decrypt, DecryptError, type DecryptInput } from "pulumi-alicloud-kms-encrypted/decrypt";

const config = new pulumi.Config();
const args: EncryptedValueArgs = { plaintext: config.requireSecret("dbPassword"), keyId: "alias/app-secrets", envelope: true };
const dbPassword = new EncryptedValue("db-password", args);

export const ciphertext: pulumi.Output<string> = dbPassword.ciphertextBlob;
export const envelope: pulumi.Output<string> = dbPassword.envelope;
export const region: pulumi.Output<string> = dbPassword.region;

// What an application does with those outputs, written here only to be type-checked.
export async function open(input: DecryptInput): Promise<string | undefined> {
  try {
    return (await decrypt(input, { allowedRegions: ["cn-hangzhou"] })).toString("utf8");
  } catch (e) {
    if (e instanceof DecryptError && e.code === "NotAllowed") return undefined;
    throw e;
  }
}
