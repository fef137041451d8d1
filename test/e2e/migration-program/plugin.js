"use strict";
// After the move: the same program, the import changed to the resource plugin's classes (docs/plugin.md).
const pulumi = require("@pulumi/pulumi");
const { EncryptedValue, EncryptedValues } = require("pulumi-alicloud-kms-encrypted/plugin");

const config = new pulumi.Config();
const db = new EncryptedValue("db-password", { plaintext: config.requireSecret("dbPassword"), keyId: "alias/rsa-2048", envelope: true });
const app = new EncryptedValues("app-secrets", { plaintexts: { api: config.requireSecret("apiToken") }, keyId: "alias/aes-256" });
exports.envelope = db.envelope;
exports.appCiphertexts = app.ciphertexts;
exports.appEnvelopes = app.envelopes;
