import * as pulumi from "@pulumi/pulumi";
import { EncryptedValue } from "pulumi-alicloud-kms-encrypted";

// The smallest useful program: a secret from stack config, encrypted under an asymmetric RSA key.
// State keeps the ciphertext; the password itself is never stored.
const config = new pulumi.Config();

const dbPassword = new EncryptedValue("db-password", {
  plaintext: config.requireSecret("dbPassword"),
  keyId: config.require("keyId"), // a key ID, alias/<name> or ARN of an RSA_2048/RSA_3072 ENCRYPT/DECRYPT key
  algorithm: "RSAES_OAEP_SHA_256",
});

export const ciphertextBlob = dbPassword.ciphertextBlob;
export const keyVersionId = dbPassword.keyVersionId;
// The key's ID (the config may name an alias): a bare ciphertext's decrypt needs it.
export const keyId = dbPassword.keyId;
// Everything an application needs in one string: decrypt(envelope), or the CLI's decrypt.
export const envelope = dbPassword.envelope;
