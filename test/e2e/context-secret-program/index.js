"use strict";
// The program the context-secret end-to-end test previews: a secret from stack config put inside an
// encryption context (config "where": "value", the value's own context, or "recipient", a
// recipient's), which the context cannot hold: it is stored in state and envelopes in clear.
const pulumi = require("@pulumi/pulumi");
const { EncryptedValue } = require("pulumi-alicloud-kms-encrypted");

const config = new pulumi.Config();
const context = { app: "billing", tenant: config.requireSecret("tenant") };
const value = config.require("where") === "value"
  ? new EncryptedValue("db-password", { plaintext: config.requireSecret("dbPassword"), keyId: "key-sym", encryptionContext: context })
  : new EncryptedValue("db-password", {
      plaintext: config.requireSecret("dbPassword"),
      recipients: [{ keyId: "key-sym" }, { keyId: "key-sym-2", encryptionContext: context }],
    });
exports.envelope = value.envelope;
