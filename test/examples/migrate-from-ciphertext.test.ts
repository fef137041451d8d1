import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as alicloud from "@pulumi/alicloud";
import type * as pulumi from "@pulumi/pulumi";
import { mockedExample, outputValue } from "../support/alicloud-mocks";
import { call, officialClient } from "../support/kms-client";

// Migrating from alicloud.kms.Ciphertext: an application that calls Decrypt with an official SDK
// reads the same text from the Ciphertext's ciphertextBlob (before) and from the EncryptedValue's
// (examples/migrate-from-ciphertext, after), and the RDS account gets that text as its password.

const PASSWORD = "YourPassword1234!";
const mocked = mockedExample("migrate-from-ciphertext", { keyId: "alias/symmetric", dbPassword: PASSWORD, rdsInstanceId: "rm-1" }, ["dbPassword"]);

describe("examples/migrate-from-ciphertext", () => {
  it("Decrypt through the official SDK reads the same text before and after switching the resource", async () => {
    const application = async (ciphertextBlob: string) => String((await call(officialClient(mocked.emulator!), "Decrypt", {
      CiphertextBlob: ciphertextBlob, EncryptionContext: "{\"app\":\"orders\"}",
    })).Plaintext);
    // Before: the resource the example replaced.
    const old = new alicloud.kms.Ciphertext("old-db-password", {
      keyId: "alias/symmetric", plaintext: PASSWORD, encryptionContext: { app: "orders" },
    });
    const before = await application(await outputValue(old.ciphertextBlob));
    // After: the example.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program = require("../../examples/migrate-from-ciphertext") as { ciphertextBlob: pulumi.Output<string>; accountName: pulumi.Output<string> };
    const after = await application(await outputValue(program.ciphertextBlob));
    assert.equal(before, PASSWORD);
    assert.equal(after, before);
    assert.equal(await outputValue(program.accountName), "app");
    assert.equal(mocked.registered.get("alicloud:rds/rdsAccount:RdsAccount app")?.password, PASSWORD);
  });
});
