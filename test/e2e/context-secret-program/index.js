"use strict";
// The program the context-secret end-to-end test previews: a secret from stack config put inside an
// encryption context (config "where": "value", the value's own context; "recipient", a recipient's;
// "recipients-output" and "recipients-promise", a recipient's in a list given as an Output or a
// Promise), which the context cannot hold: it is stored in state and envelopes in clear.
const pulumi = require("@pulumi/pulumi");
const { EncryptedValue } = require("pulumi-alicloud-kms-encrypted");

const config = new pulumi.Config();
const context = { app: "billing", tenant: config.requireSecret("tenant") };
const where = config.require("where");
const list = [{ keyId: "key-sym" }, { keyId: "key-sym-2", encryptionContext: context }];
const recipients = { recipient: list, "recipients-output": pulumi.output(list), "recipients-promise": Promise.resolve(list) }[where];
const value = where === "value"
  ? new EncryptedValue("db-password", { plaintext: config.requireSecret("dbPassword"), keyId: "key-sym", encryptionContext: context })
  : new EncryptedValue("db-password", { plaintext: config.requireSecret("dbPassword"), recipients });
exports.envelope = value.envelope;
