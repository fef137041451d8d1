"use strict";
// The program the security end-to-end test deploys: two values with the same name and plaintext
// under two components (envelopes), a short PIN in digest mode, a value whose trigger is a secret,
// the resource objects exported whole, as a careless program would, and (config "consumers") dynamic
// resources of the program's own that hand a ciphertext on, on the engine's default provider or on
// dynamicProviderWithoutConfig(), given directly or through a component's providers.
const pulumi = require("@pulumi/pulumi");
const { dynamicProviderWithoutConfig, EncryptedValue, EncryptedValues } = require("pulumi-alicloud-kms-encrypted");

const config = new pulumi.Config();

// Two component types, each with a value named "password": their URNs differ only in the parent type.
class Component extends pulumi.ComponentResource {
  constructor(type, name) {
    super(type, name);
    this.db = new EncryptedValue("password", { plaintext: config.requireSecret("shared"), keyId: "key-app", envelope: true }, { parent: this });
    this.registerOutputs({});
  }
}
const a = new Component("e2e:security:Database", "main");
const b = new Component("e2e:security:Cache", "main");
const pin = new EncryptedValue("pin", { plaintext: config.requireSecret("pin"), keyId: "key-app" });
const triggered = new EncryptedValue("triggered", {
  plaintext: config.requireSecret("pin"),
  keyId: "key-app",
  changeDetection: "trigger",
  trigger: config.requireSecret("trigger"),
});

// (config "literals") A plaintext written into the program, and a map with one literal entry: never
// stored either, but not Pulumi secrets, which the preview says.
if (config.getBoolean("literals")) {
  new EncryptedValue("literal", { plaintext: "written-into-the-source-1234", keyId: "key-app" });
  new EncryptedValues("mixed", { plaintexts: { fromConfig: config.requireSecret("shared"), inSource: "written-into-the-source-5678" }, keyId: "key-app" });
}

exports.envelopes = { a: a.db.envelope, b: b.db.envelope };
exports.whole = { pin, triggered };

const consumerProvider = {
  async create(inputs) {
    return { id: "consumer", outs: { stored: inputs.ciphertext } };
  },
};
const consumers = config.get("consumers");
if (consumers) {
  const onHelper = consumers === "without-config";
  const opts = onHelper ? { provider: dynamicProviderWithoutConfig() } : {};
  new pulumi.dynamic.Resource(consumerProvider, "direct-consumer", { ciphertext: pin.ciphertextBlob }, opts);
  class Holder extends pulumi.ComponentResource {
    constructor(name) {
      super("e2e:security:Holder", name, {}, onHelper ? { providers: [dynamicProviderWithoutConfig()] } : {});
      new pulumi.dynamic.Resource(consumerProvider, "nested-consumer", { ciphertext: pin.ciphertextBlob }, { parent: this });
      this.registerOutputs({});
    }
  }
  new Holder("holder");
}
