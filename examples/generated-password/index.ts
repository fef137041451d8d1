import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";
import { EncryptedRandomPassword } from "pulumi-alicloud-kms-encrypted";

// A database password that exists only inside KMS, the database and the application that decrypts
// it: the provider draws it at create, encrypts it at once under a symmetric key and drops it. No
// program, terminal or state holds it, not even as a Pulumi secret. The RDS account gets it through
// kmsEncryptedPassword (the alicloud provider calls Decrypt at apply); the application opens the
// same ciphertext with decrypt() or any KMS SDK.
const config = new pulumi.Config();

const key = new alicloud.kms.Key("db-secrets", {
  keySpec: "Aliyun_AES_256", // symmetric: kmsEncryptedPassword is read with Decrypt, and a rotation uses ReEncrypt
  keyUsage: "ENCRYPT/DECRYPT",
  description: "encrypts passwords no one sees (pulumi-alicloud-kms-encrypted)",
  pendingWindowInDays: 7,
});

const password = new EncryptedRandomPassword("db-password", {
  length: 24,
  minLower: 2,
  minUpper: 2,
  minNumeric: 2,
  minSpecial: 2,
  overrideSpecial: "!#$%^&*()_+-=", // the characters an RDS account password may hold
  keepers: { generation: "1" }, // change it to draw a new password
  keyId: key.id,
  encryptionContext: { app: "orders", stage: pulumi.getStack() },
});

const account = new alicloud.rds.RdsAccount("app", {
  dbInstanceId: config.require("rdsInstanceId"),
  accountName: "app",
  kmsEncryptedPassword: password.ciphertextBlob,
  kmsEncryptionContext: password.encryptionContext,
});

// An ECS instance's root password the same way (8–30 characters, three classes; the default special
// characters are all ones ECS takes).
const rootPassword = new EncryptedRandomPassword("root-password", {
  length: 20,
  minLower: 1,
  minUpper: 1,
  minNumeric: 1,
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
// For the application: decrypt(envelope) from pulumi-alicloud-kms-encrypted/decrypt, or any KMS SDK's
// Decrypt of ciphertextBlob with this context.
export const passwordEnvelope = password.envelope;
export const passwordKeyVersion = password.keyVersionId;
