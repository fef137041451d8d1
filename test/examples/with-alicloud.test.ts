import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { mockedExample, outputValue } from "../support/alicloud-mocks";

// examples/with-alicloud needs the cloud for its key and OOS parameter, so it runs under
// pulumi.runtime.setMocks — with mocks backed by the KMS emulator: kms.Key and kms.Alias are created
// there, and EncryptedValue goes through the real provider's check and create (HTTP to the
// emulator). Then the example's application side decrypts the OOS parameter's value.

type Props = Record<string, unknown>;
const PASSWORD = "with-alicloud example password 7f3a";
// The application and the provider find the emulator the way they would find KMS.
const mocked = mockedExample("kms-with-alicloud", { dbPassword: PASSWORD }, ["dbPassword"]);

const value = outputValue;

describe("examples/with-alicloud under mocks backed by the KMS emulator", () => {
  it("creates the key and alias, encrypts under the alias, and hands the envelope to the OOS parameter", async () => {
    mocked.emulator!.resetStats();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program = require("../../examples/with-alicloud") as { keyId: pulumi.Output<string>; keyVersionId: pulumi.Output<string>; parameterName: pulumi.Output<string> };
    assert.equal(await value(program.parameterName), "app/db-password");
    const keyId = await value(program.keyId);

    const ev = mocked.registered.get("pulumi-nodejs:dynamic/alicloud-kms:EncryptedValue db-password")!;
    assert.equal(ev.inputs.keyId, "alias/app-secrets", "keyId came from the alias");
    const envelope = String(mocked.registered.get("alicloud:oos/parameter:Parameter db-password")!.inputs.value);
    const json = JSON.parse(Buffer.from(envelope, "base64").toString()) as Props;
    assert.equal(json.keyId, keyId, "the envelope names the key alicloud created (the alias resolved)");
    assert.equal(json.keyVersionId, await value(program.keyVersionId));
    assert.equal(mocked.emulator!.stats().calls.AsymmetricEncrypt, 2, "one DryRun and one data key");
    assert.ok(!envelope.includes(Buffer.from(PASSWORD).toString("base64")) && !Buffer.from(envelope, "base64").toString().includes(PASSWORD));
  });

  it("the application side turns the parameter's value back into the password", async () => {
    const { readDbPassword } = await import("../../examples/with-alicloud/app/read-db-password");
    const envelope = String(mocked.registered.get("alicloud:oos/parameter:Parameter db-password")!.inputs.value);
    assert.equal(await readDbPassword(envelope), PASSWORD);
  });
});
