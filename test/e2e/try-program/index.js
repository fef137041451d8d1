"use strict";
// A newcomer's own program, as the README's recipe runs it against the emulator: one secret from
// stack config, under the emulator's default RSA key, its envelope exported for an application.
const pulumi = require("@pulumi/pulumi");
const { EncryptedValue } = require("pulumi-alicloud-kms-encrypted");

const config = new pulumi.Config();
const password = new EncryptedValue("db-password", { plaintext: config.requireSecret("dbPassword"), keyId: "alias/rsa-2048" });

exports.envelope = password.envelope;
exports.keyVersionId = password.keyVersionId;
