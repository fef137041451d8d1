import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";
import { EncryptedValue } from "pulumi-alicloud-kms-encrypted";

// `kmsEncryptedPassword` + `kmsEncryptionContext`, as 20+ @pulumi/alicloud resources take them:
// the alicloud provider calls KMS's Decrypt at apply and sets the text Decrypt returns as the
// password. A symmetric EncryptedValue's ciphertext holds the password's own text (its
// plaintextEncoding output is "text"), so that is exactly what the account gets. Unlike
// alicloud.kms.Ciphertext, nothing here keeps the password in state: not the value, not the account.
const config = new pulumi.Config();

const key = new alicloud.kms.Key("db-secrets", {
  keySpec: "Aliyun_AES_256", // symmetric: kmsEncryptedPassword is read with Decrypt
  keyUsage: "ENCRYPT/DECRYPT",
  description: "encrypts passwords handed to kmsEncryptedPassword (pulumi-alicloud-kms-encrypted)",
  pendingWindowInDays: 7,
});

const dbPassword = new EncryptedValue("db-password", {
  plaintext: config.requireSecret("dbPassword"),
  keyId: key.id,
  encryptionContext: { app: "orders", stage: pulumi.getStack() }, // not secret; bound to the ciphertext
});

const account = new alicloud.rds.RdsAccount("app", {
  dbInstanceId: config.require("rdsInstanceId"),
  accountName: "app",
  kmsEncryptedPassword: dbPassword.ciphertextBlob,
  kmsEncryptionContext: dbPassword.encryptionContext,
});

const rootPassword = new EncryptedValue("root-password", {
  plaintext: config.requireSecret("rootPassword"),
  keyId: key.id,
  encryptionContext: { app: "orders", host: "web" },
});

const web = new alicloud.ecs.Instance("web", {
  instanceType: config.get("instanceType") ?? "ecs.g7.large",
  imageId: config.require("imageId"),
  vswitchId: config.require("vswitchId"),
  securityGroups: [config.require("securityGroupId")],
  kmsEncryptedPassword: rootPassword.ciphertextBlob,
  kmsEncryptionContext: rootPassword.encryptionContext,
});

export const accountName = account.accountName;
export const instanceId = web.id;
export const plaintextEncoding = dbPassword.plaintextEncoding; // "text": Decrypt returns the password itself
