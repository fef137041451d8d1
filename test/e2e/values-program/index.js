"use strict";
// The program the EncryptedValues end-to-end test deploys: one map of secrets from stack config
// under one key (config "entries": the plaintexts, "envelope": envelope encryption), exported as a
// user would (the maps of ciphertexts and envelopes), and the resource object whole, as a careless
// program would.
const pulumi = require("@pulumi/pulumi");
const { EncryptedValues } = require("pulumi-alicloud-kms-encrypted");

const config = new pulumi.Config();
const values = new EncryptedValues("app-secrets", {
  plaintexts: config.requireSecretObject("entries"),
  keyId: config.require("keyId"),
  envelope: config.getBoolean("envelope") ?? false,
});

exports.ciphertexts = values.ciphertexts;
exports.envelopes = values.envelopes;
exports.revisions = values.plaintextRevisions;
exports.target = pulumi.all([values.keyId, values.keyVersionId, values.algorithm, values.region])
  .apply(([keyId, keyVersionId, algorithm, region]) => ({ keyId, keyVersionId, algorithm, region }));
exports.whole = values;
