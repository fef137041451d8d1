"use strict";
// The program the end-to-end tests deploy with the real Pulumi CLI, as a user would write it in
// JavaScript: EncryptedValues from stack config, and one resource consuming a ciphertext.
const pulumi = require("@pulumi/pulumi");
const { EncryptedValue, dynamicProviderWithoutConfig } = require("pulumi-alicloud-kms-encrypted");

const config = new pulumi.Config();
const plaintexts = config.requireSecretObject("plaintexts"); // { name: plaintext }
const values = config.requireObject("values"); // { name: { keyId | certificateId, algorithm?, keyVersionId? } }

const encrypted = {};
for (const [name, target] of Object.entries(values)) {
  encrypted[name] = new EncryptedValue(name, { plaintext: plaintexts.apply((p) => p[name]), ...target });
}

// Stands in for any resource that takes a ciphertext as input (an OOS parameter, ECS user data).
// A dynamic resource of the program's own: it gets a provider without configuration too, because
// the engine's default dynamic provider would keep the whole stack configuration, secrets
// included, in state (and the package would warn about it).
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
const consumed = config.get("consumed");
const consumer = consumed
  ? new pulumi.dynamic.Resource(consumerProvider, "consumer", { ciphertext: encrypted[consumed].ciphertextBlob, stored: undefined },
      { provider: dynamicProviderWithoutConfig() }, "e2e", "CiphertextConsumer")
  : undefined;

const details = (v) => pulumi.all([v.keyId, v.keyVersionId, v.certificateId, v.algorithm, v.staleReason])
  .apply(([keyId, keyVersionId, certificateId, algorithm, staleReason]) =>
    ({ keyId, keyVersionId, certificateId, algorithm, staleReason }));
exports.ciphertexts = Object.fromEntries(Object.entries(encrypted).map(([n, v]) => [n, v.ciphertextBlob]));
exports.details = Object.fromEntries(Object.entries(encrypted).map(([n, v]) => [n, details(v)]));
exports.consumed = consumer ? consumer.stored : undefined;
// What a careless program does: export the resource objects themselves, and whatever they expose
// under the plaintext's input names. None of it may carry the plaintext.
exports.wholeResources = encrypted;
exports.plaintextProperties = Object.fromEntries(
  Object.entries(encrypted).map(([n, v]) => [n, [v.plaintext, v.plaintextBase64]]));
