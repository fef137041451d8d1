"use strict";
// The benchmark's program: `bench:count` values under one key, as EncryptedValue resources encrypted
// through KMS ("api") or in the provider process ("local"), as the entries of one EncryptedValues
// ("map"), as EncryptedValue resources on the resource plugin ("plugin-node", through the package's
// /plugin classes), or, for the engine's own per-resource cost, as do-nothing dynamic resources with
// the same inputs ("baseline"), and with as many inputs and outputs as an "api" value keeps in state
// ("wide": 19 and 19). Every value is a distinct secret; `bench:changed` (an index) changes one.
const pulumi = require("@pulumi/pulumi");
const { EncryptedValue, EncryptedValues } = require("pulumi-alicloud-kms-encrypted");

const config = new pulumi.Config("bench");
const count = config.requireNumber("count");
const program = config.require("program");
// One key, or values dealt round-robin over several (comma-separated), to show per-key costs.
const keyIds = config.require("keyId").split(",");
const seed = config.requireSecret("seed");
const changed = config.getNumber("changed");
const plaintextOf = (s, i) => `${s}-${i}${i === changed ? "-changed" : ""}`;

// Like EncryptedValue's own provider, an explicit one that carries no stack configuration.
class NoConfigProvider extends pulumi.ProviderResource {
  constructor(name) {
    super("pulumi-nodejs", name, {});
  }
}
const doNothing = {
  async create(inputs) {
    return { id: require("node:crypto").randomUUID(), outs: { keyId: inputs.keyId, ciphertextBlob: "" } };
  },
  async diff(_id, olds, news) {
    return { changes: olds.keyId !== news.keyId };
  },
};
/** "wide": the properties an api value has in state beyond a baseline resource's, as inputs and as outputs. */
const WIDE_PROPERTIES = 16;
const wide = Object.fromEntries(Array.from({ length: WIDE_PROPERTIES }, (_, j) => [`p${j}`, "v"]));
const doNothingWide = {
  ...doNothing,
  async create(inputs) {
    const { plaintext: _plaintext, ...outs } = inputs;
    return { id: require("node:crypto").randomUUID(), outs: { ...outs, ciphertextBlob: "" } };
  },
};
const baselineProvider = program === "baseline" || program === "wide" ? new NoConfigProvider("baseline-provider") : undefined;
const plugin = program === "plugin-node" ? require("pulumi-alicloud-kms-encrypted/plugin") : undefined;

const values = [];
if (program === "map") {
  const plaintexts = seed.apply((s) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`value-${String(i).padStart(4, "0")}`, plaintextOf(s, i)])));
  values.push(new EncryptedValues("values", { plaintexts, keyId: keyIds[0] }));
}
for (let i = 0; program !== "map" && i < count; i++) {
  const name = `value-${String(i).padStart(4, "0")}`;
  const plaintext = seed.apply((s) => plaintextOf(s, i));
  const keyId = keyIds[i % keyIds.length];
  if (program === "baseline") {
    values.push(new pulumi.dynamic.Resource(doNothing, name, { plaintext, keyId, ciphertextBlob: undefined },
      { provider: baselineProvider }, "bench", "DoNothing"));
  } else if (program === "wide") {
    values.push(new pulumi.dynamic.Resource(doNothingWide, name, { plaintext, keyId, ciphertextBlob: undefined, ...wide },
      { provider: baselineProvider }, "bench", "DoNothing"));
  } else if (plugin) {
    values.push(new plugin.EncryptedValue(name, { plaintext, keyId }));
  } else {
    values.push(new EncryptedValue(name, { plaintext, keyId, encryptLocally: program === "local" }));
  }
}

exports.count = values.length;
exports.lastCiphertext = program === "map" ? values[0].ciphertexts.apply((c) => Object.values(c).pop())
  : values.length ? values[values.length - 1].ciphertextBlob : undefined;
