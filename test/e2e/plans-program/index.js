"use strict";
// The program the previews-and-plans end-to-end test deploys: EncryptedValues from stack config,
// each with a resource that consumes its ciphertext, and every output of every value exported on
// its own, so a preview's value of each can be compared with what up makes.
const pulumi = require("@pulumi/pulumi");
const { EncryptedValue, EncryptedValues } = require("pulumi-alicloud-kms-encrypted");

const config = new pulumi.Config();
const plaintexts = config.requireSecretObject("plaintexts"); // { name: plaintext }
const values = config.requireObject("values"); // { name: { keyId | certificateId, algorithm?, envelope?, encryptLocally? } }
const mapEntries = config.requireSecretObject("mapEntries"); // { entry: plaintext }, the same for the whole test

// Stands in for any resource that takes a ciphertext (an OOS parameter, ECS user data), on a provider
// without the stack's configuration.
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
class NoConfigProvider extends pulumi.ProviderResource {
  constructor(name) {
    super("pulumi-nodejs", name, {});
  }
}
const consumers = new NoConfigProvider("consumers");

const FIELDS = ["ciphertextBlob", "envelope", "keyId", "keyVersionId", "certificateId", "kmsInstanceId", "algorithm", "keySpec", "region",
  "changeDetection", "plaintextRevision", "staleReason"];
exports.values = {};
exports.consumed = {};
for (const [name, target] of Object.entries(values)) {
  const value = new EncryptedValue(name, { plaintext: plaintexts.apply((p) => p[name]), ...target });
  exports.values[name] = Object.fromEntries(FIELDS.map((field) => [field, value[field]]));
  const ciphertext = pulumi.all([value.envelope, value.ciphertextBlob]).apply(([envelope, blob]) => envelope ?? blob);
  const consumer = new pulumi.dynamic.Resource(consumerProvider, `consumer-${name}`, { ciphertext, stored: undefined },
    { provider: consumers }, "e2e", "CiphertextConsumer");
  exports.consumed[name] = consumer.stored;
}

// Two maps that never change (their key gets no new version, and no alias names it), one stored as
// ciphertexts and one as envelopes, each consumed whole: both of its maps, one of which state does
// not keep and the SDK derives.
exports.maps = {};
exports.mapsConsumed = {};
for (const [name, envelope] of [["map", false], ["map-envelope", true]]) {
  const map = new EncryptedValues(name, { plaintexts: mapEntries, keyId: "key-other", envelope });
  exports.maps[name] = { ciphertexts: map.ciphertexts, envelopes: map.envelopes };
  const consumer = new pulumi.dynamic.Resource(consumerProvider, `consumer-${name}`,
    { ciphertext: pulumi.all([map.ciphertexts, map.envelopes]).apply(JSON.stringify), stored: undefined },
    { provider: consumers }, "e2e", "CiphertextConsumer");
  exports.mapsConsumed[name] = consumer.stored;
}
