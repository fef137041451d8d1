import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";
import { EncryptedValue } from "pulumi-alicloud-kms-encrypted";

// The whole loop on Alibaba Cloud: @pulumi/alicloud creates the asymmetric key and its alias,
// EncryptedValue encrypts the database password under it, and the envelope (self-describing:
// key, version, algorithm, region) goes into an OOS parameter. The application reads the parameter
// and decrypts it with decrypt() (see app/read-db-password.ts); the password is stored nowhere.
const config = new pulumi.Config();

const key = new alicloud.kms.Key("app-secrets", {
  keySpec: "RSA_2048",
  keyUsage: "ENCRYPT/DECRYPT",
  description: "encrypts the app's secrets (pulumi-alicloud-kms-encrypted)",
  pendingWindowInDays: 7,
});

const alias = new alicloud.kms.Alias("app-secrets", {
  aliasName: "alias/app-secrets",
  keyId: key.id,
});

const dbPassword = new EncryptedValue("db-password", {
  plaintext: config.requireSecret("dbPassword"),
  // By alias: the value depends on the alias, and the alias on the key, so Pulumi creates them first.
  keyId: alias.aliasName,
  envelope: true,
});

const parameter = new alicloud.oos.Parameter("db-password", {
  parameterName: "app/db-password",
  type: "String",
  // Set, since envelope is true. The envelope is not a secret: only the key's private half opens it.
  value: dbPassword.envelope as pulumi.Output<string>,
  description: "the app's database password, as a KMS envelope (decrypt with pulumi-alicloud-kms-encrypted/decrypt)",
});

export const keyId = key.id;
export const keyVersionId = dbPassword.keyVersionId;
export const parameterName = parameter.parameterName;
