"use strict";
// The program the upgrade test deploys first with the package as it was before integrity tags and
// scopes (state from an older release), then with this one: a value with envelope encryption, a
// direct value, and a map of direct values, all under one RSA key, from stack config secrets.
const pulumi = require("@pulumi/pulumi");
const { EncryptedValue, EncryptedValues } = require("pulumi-alicloud-kms-encrypted");

const config = new pulumi.Config();
const keyId = config.require("keyId");
const certificate = new EncryptedValue("tls-key", { plaintext: config.requireSecret("tlsKey"), keyId, envelope: true });
const password = new EncryptedValue("db-password", { plaintext: config.requireSecret("dbPassword"), keyId });
const values = new EncryptedValues("app-secrets", { plaintexts: config.requireSecretObject("entries"), keyId });

exports.tlsKeyEnvelope = certificate.envelope;
exports.dbPasswordEnvelope = password.envelope;
exports.envelopes = values.envelopes;
