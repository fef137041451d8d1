import * as pulumi from "@pulumi/pulumi";
import { EncryptedValue } from "pulumi-alicloud-kms-encrypted";

// What alicloud.kms.Ciphertext does (Encrypt under a symmetric key, with an encryption context),
// without its plaintext input in state, with a DryRun preview, and re-encrypting when the key
// rotates. The context is not secret: it is stored, and the envelope carries it.
const config = new pulumi.Config();

const dbPassword = new EncryptedValue("db-password", {
  plaintext: config.requireSecret("dbPassword"),
  keyId: config.require("keyId"), // an Aliyun_AES_256 or Aliyun_SM4 key: ID, alias/<name> or ARN
  encryptionContext: { app: "billing", stage: pulumi.getStack() },
});

// The envelope opens with decrypt() or the CLI, nothing else to pass; the bare ciphertext needs
// the encryption context again, as alicloud.kms.Ciphertext's does.
export const envelope = dbPassword.envelope;
export const ciphertextBlob = dbPassword.ciphertextBlob;
export const encryptionContext = dbPassword.encryptionContext;
export const keyVersionId = dbPassword.keyVersionId;
// The key's ID (not the alias the config names): a bare ciphertext's decrypt needs it.
export const keyId = dbPassword.keyId;
