import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type * as pulumi from "@pulumi/pulumi";
import { mockedExample, outputValue } from "../support/alicloud-mocks";
import { secretForms } from "../support/secret-forms";

// examples/kms-encrypted-password under mocks backed by the KMS emulator: the RDS account and the
// ECS instance get what the alicloud provider would set at apply, Decrypt of kmsEncryptedPassword
// with kmsEncryptionContext through Alibaba's official SDK; that must be exactly the password.

const DB_PASSWORD = "YourPassword1234!";
const ROOT_PASSWORD = "Root-密码-2026";
const mocked = mockedExample("kms-encrypted-password", {
  dbPassword: DB_PASSWORD, rootPassword: ROOT_PASSWORD, rdsInstanceId: "rm-test", imageId: "img", vswitchId: "vsw-1", securityGroupId: "sg-1",
}, ["dbPassword", "rootPassword"]);

describe("examples/kms-encrypted-password: kmsEncryptedPassword gets the password itself", () => {
  it("the RDS account and the ECS instance Decrypt exactly their passwords, with the context", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program = require("../../examples/kms-encrypted-password") as {
      accountName: pulumi.Output<string>; instanceId: pulumi.Output<string>; plaintextEncoding: pulumi.Output<string>;
    };
    assert.equal(await outputValue(program.accountName), "app");
    assert.equal(await outputValue(program.instanceId), "web-id", "the instance's id, as the provider (here the mock) answers it");
    assert.equal(await outputValue(program.plaintextEncoding), "text");
    const account = mocked.registered.get("alicloud:rds/rdsAccount:RdsAccount app")!;
    const web = mocked.registered.get("alicloud:ecs/instance:Instance web")!;
    assert.equal(account.password, DB_PASSWORD);
    assert.equal(web.password, ROOT_PASSWORD);
    assert.deepEqual(account.inputs.kmsEncryptionContext, { app: "orders", stage: "dev" });
    // What the alicloud resources are given (and their state keeps) holds the passwords in no form.
    const alicloudInputs = JSON.stringify([...mocked.registered.values()].filter((r) => r.type.startsWith("alicloud:")).map((r) => r.inputs));
    for (const p of [DB_PASSWORD, ROOT_PASSWORD]) {
      for (const form of secretForms(Buffer.from(p))) assert.equal(alicloudInputs.includes(form), false);
    }
  });
});
