"use strict";
// The program the symmetric-key end-to-end test deploys, as a user replacing alicloud.kms.Ciphertext
// would write it: one secret from stack config under a symmetric key (config "keyId") with an
// encryption context (config "context", a JSON object), exported as a user would, and the resource
// object whole, as a careless program would.
const pulumi = require("@pulumi/pulumi");
const { EncryptedValue } = require("pulumi-alicloud-kms-encrypted");

const config = new pulumi.Config();
const value = new EncryptedValue("db-password", {
  plaintext: config.requireSecret("dbPassword"),
  keyId: config.require("keyId"),
  encryptionContext: config.requireObject("context"),
});

exports.envelope = value.envelope;
exports.ciphertextBlob = value.ciphertextBlob;
exports.target = pulumi
  .all([value.keyId, value.keyVersionId, value.algorithm, value.region, value.encryptionContext, value.staleReason])
  .apply(([keyId, keyVersionId, algorithm, region, encryptionContext, staleReason]) =>
    ({ keyId, keyVersionId, algorithm, region, encryptionContext, staleReason }));
exports.whole = value;
