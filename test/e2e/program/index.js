"use strict";
// The program the end-to-end tests deploy with the real Pulumi CLI, as a user would write it in
// JavaScript: EncryptedValues from stack config, and one resource consuming a ciphertext.
const pulumi = require("@pulumi/pulumi");
const { EncryptedValue } = require("pulumi-alicloud-kms-encrypted");

const config = new pulumi.Config();
const plaintexts = config.requireSecretObject("plaintexts"); // { name: plaintext }
const values = config.requireObject("values"); // { name: { keyId | certificateId, algorithm?, keyVersionId? } }

// Stands in for any resource that takes a ciphertext as input (an OOS parameter, an ECS user data).
const consumerProvider = {
  async create(inputs) {
    return { id: "consumer", outs: { stored: inputs.ciphertext } };
  },
  async diff(_id, olds, news) {
    return { changes: olds.stored !== news.ciphertext };
  },
  async update(_id, _olds, news) {
    return { outs: { stored: news.ciphertext } };
  },
};

const encrypted = {};
for (const [name, target] of Object.entries(values)) {
  encrypted[name] = new EncryptedValue(name, { plaintext: plaintexts.apply((p) => p[name]), ...target });
}
const consumed = config.get("consumed");
const consumer = consumed
  ? new pulumi.dynamic.Resource(consumerProvider, "consumer", { ciphertext: encrypted[consumed].ciphertextBlob, stored: undefined }, {}, "e2e", "CiphertextConsumer")
  : undefined;

exports.ciphertexts = Object.fromEntries(Object.entries(encrypted).map(([n, v]) => [n, v.ciphertextBlob]));
exports.details = Object.fromEntries(Object.entries(encrypted).map(([n, v]) => [n, pulumi.all([v.keyId, v.keyVersionId, v.certificateId, v.algorithm, v.staleReason])
  .apply(([keyId, keyVersionId, certificateId, algorithm, staleReason]) => ({ keyId, keyVersionId, certificateId, algorithm, staleReason }))]));
exports.consumed = consumer ? consumer.stored : undefined;
