import * as pulumi from "@pulumi/pulumi";
import { EncryptedValues } from "pulumi-alicloud-kms-encrypted";

// All of an application's secrets in one resource: every entry of the `secrets` config object
// (set with --secret) encrypted under one key. Changing one entry re-encrypts that entry alone;
// the names are the output maps' keys and are not secret, the values are never stored.
const config = new pulumi.Config();

const appSecrets = new EncryptedValues("app-secrets", {
  plaintexts: config.requireSecretObject<Record<string, string>>("secrets"),
  keyId: config.require("keyId"), // a key ID, alias/<name> or ARN of an RSA or SM2 ENCRYPT/DECRYPT key
});

// One envelope per entry: the application opens each with decrypt(), nothing else to pass.
export const envelopes = appSecrets.envelopes;
export const revisions = appSecrets.plaintextRevisions;
