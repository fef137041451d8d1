"use strict";
// The program the EncryptedRandomPassword end-to-end test deploys: a password no one sees, under a
// symmetric key (config "keyId") with an encryption context, drawn again when config "generation"
// changes; exported as kmsEncryptedPassword would take it, and the resource object whole, as a
// careless program would.
const pulumi = require("@pulumi/pulumi");
const { EncryptedRandomPassword } = require("pulumi-alicloud-kms-encrypted");

const config = new pulumi.Config();
const password = new EncryptedRandomPassword("db-password", {
  length: 24,
  minLower: 2,
  minUpper: 2,
  minNumeric: 2,
  minSpecial: 2,
  keepers: { generation: config.get("generation") ?? "1" },
  keyId: config.require("keyId"),
  encryptionContext: { app: "orders" },
});

exports.ciphertextBlob = password.ciphertextBlob;
exports.envelope = password.envelope;
exports.keyVersionId = password.keyVersionId;
exports.whole = password;
