"use strict";
// The program the recipients end-to-end test deploys: one secret from stack config wrapped for
// every recipient the config lists (config "recipients", a JSON list of { keyId } / { certificateId },
// key ARNs naming their regions), exported as a user would, and the resource object whole, as a
// careless program would.
const pulumi = require("@pulumi/pulumi");
const { EncryptedValue } = require("pulumi-alicloud-kms-encrypted");

const config = new pulumi.Config();
const value = new EncryptedValue("db-password", {
  plaintext: config.requireSecret("dbPassword"),
  recipients: config.requireObject("recipients"),
});

exports.envelope = value.envelope;
exports.recipients = value.recipients;
exports.whole = value;
