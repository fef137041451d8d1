import * as pulumi from "@pulumi/pulumi";
import { EncryptedValue } from "pulumi-alicloud-kms-encrypted";

// Disaster recovery: one value, two recipients in two regions. One data key is wrapped by each
// region's KMS, and either key alone decrypts the value, so losing a region (or a key) loses
// nothing. Also the way to move a value to another key: add the new key, deploy, then remove the
// old one (README.md).
const config = new pulumi.Config();

const dbPassword = new EncryptedValue("db-password", {
  plaintext: config.requireSecret("dbPassword"),
  recipients: [
    { keyId: config.require("primaryKeyId") }, // the application's own region (alicloud-kms:region)
    { keyId: config.require("backupKeyArn") }, // acs:kms:<other region>:<account>:key/<id>: its region is the ARN's
  ],
});

// decrypt(envelope) tries the application's region first, then the other.
export const envelope = dbPassword.envelope;
export const recipients = dbPassword.recipients;
