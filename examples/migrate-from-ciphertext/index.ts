import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";
import { EncryptedValue } from "pulumi-alicloud-kms-encrypted";

// After the migration. Before it, this program read:
//
//   const dbPassword = new alicloud.kms.Ciphertext("db-password", {
//     keyId: config.require("keyId"),
//     plaintext: config.requireSecret("dbPassword"),   // kept in state by alicloud.kms.Ciphertext
//     encryptionContext: { app: "orders" },
//   });
//
// The same key, the same context, the same kind of ciphertext: every consumer (kmsEncryptedPassword,
// an application calling Decrypt with an official SDK) reads the same text. `pulumi up` deletes
// the Ciphertext (and the plaintext it kept in state) and creates the EncryptedValue.
const config = new pulumi.Config();

const dbPassword = new EncryptedValue("db-password", {
  keyId: config.require("keyId"),
  plaintext: config.requireSecret("dbPassword"),
  encryptionContext: { app: "orders" },
});

const account = new alicloud.rds.RdsAccount("app", {
  dbInstanceId: config.require("rdsInstanceId"),
  accountName: "app",
  kmsEncryptedPassword: dbPassword.ciphertextBlob,
  kmsEncryptionContext: dbPassword.encryptionContext,
});

export const ciphertextBlob = dbPassword.ciphertextBlob;
export const accountName = account.accountName;
