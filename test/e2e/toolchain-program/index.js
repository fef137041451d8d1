"use strict";
// The program of test/e2e/toolchain.test.ts, the one end-to-end file CI's toolchain legs run: every
// point where this package meets @pulumi/pulumi, once. A value inside a component (its URN's type a
// parent chain), a map, a resource of the program's own consuming a ciphertext, and (config
// "secretContext") a secret put inside an encryption context, which the SDK must refuse.
const pulumi = require("@pulumi/pulumi");
const { EncryptedValue, EncryptedValues, dynamicProviderWithoutConfig } = require("pulumi-alicloud-kms-encrypted");

const config = new pulumi.Config();
const secrets = config.requireSecretObject("secrets"); // { db, api, queue }

class App extends pulumi.ComponentResource {
  constructor(name, opts) {
    super("e2e:index:App", name, {}, opts);
    this.dbPassword = new EncryptedValue("db-password", { plaintext: secrets.apply((s) => s.db), keyId: "alias/app" }, { parent: this });
    this.registerOutputs({ envelope: this.dbPassword.envelope });
  }
}
const app = new App("app");
const map = new EncryptedValues("app-secrets", { plaintexts: secrets.apply(({ api, queue }) => ({ api, queue })), keyId: "key-sym" });

// Any resource that takes a ciphertext (an OOS parameter, ECS user data), on a provider without the
// stack's configuration.
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
const consumer = new pulumi.dynamic.Resource(consumerProvider, "consumer", { ciphertext: app.dbPassword.ciphertextBlob, stored: undefined },
  { provider: dynamicProviderWithoutConfig() }, "e2e", "CiphertextConsumer");

if (config.getBoolean("secretContext")) {
  new EncryptedValue("in-secret-context", {
    plaintext: secrets.apply((s) => s.db), keyId: "key-sym", encryptionContext: { tenant: config.requireSecret("tenant") },
  });
}

exports.envelope = app.dbPassword.envelope;
exports.ciphertextBlob = app.dbPassword.ciphertextBlob;
exports.keyVersionId = app.dbPassword.keyVersionId;
exports.mapEnvelopes = map.envelopes;
exports.consumed = consumer.stored;
