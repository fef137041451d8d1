"use strict";
// The program moved from the dynamic provider to the resource plugin: as it is here, on the dynamic
// provider (the package's main entry); the test changes the import to the plugin's classes
// (pulumi-alicloud-kms-encrypted/plugin), as docs/plugin.md says.
const pulumi = require("@pulumi/pulumi");
const { EncryptedValue, EncryptedValues } = require("pulumi-alicloud-kms-encrypted");

const config = new pulumi.Config();
const db = new EncryptedValue("db-password", { plaintext: config.requireSecret("dbPassword"), keyId: "alias/rsa-2048", envelope: true });
const app = new EncryptedValues("app-secrets", { plaintexts: { api: config.requireSecret("apiToken") }, keyId: "alias/aes-256" });
exports.envelope = db.envelope;
exports.appCiphertexts = app.ciphertexts;
exports.appEnvelopes = app.envelopes;
