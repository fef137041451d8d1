import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type * as pulumi from "@pulumi/pulumi";
import { decrypt } from "../../sdk/decrypt";
import { LOWER, NUMERIC, UPPER } from "../../provider/crypto/random-password";
import { mockedExample, outputValue } from "../support/alicloud-mocks";
import { secretForms } from "../support/secret-forms";

// examples/generated-password under mocks backed by the KMS emulator: the RDS account gets what the
// alicloud provider would set at apply (Decrypt of kmsEncryptedPassword with kmsEncryptionContext,
// through Alibaba's official SDK), the application decrypt()s the envelope: the same password, which
// meets the policy, and which nothing the program registered holds in any form.

const mocked = mockedExample("generated-password", { rdsInstanceId: "rm-test", imageId: "img", vswitchId: "vsw-1", securityGroupId: "sg-1" }, []);

describe("examples/generated-password: passwords no one sees reach the RDS account, the ECS instance and the application", () => {
  it("the account's Decrypt and the application's decrypt() give the same password, which meets the policy and is stored nowhere", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const program = require("../../examples/generated-password") as {
      accountName: pulumi.Output<string>; passwordEnvelope: pulumi.Output<string>;
    };
    assert.equal(await outputValue(program.accountName), "app");
    const account = mocked.registered.get("alicloud:rds/rdsAccount:RdsAccount app")!;
    const password = account.password!;
    assert.equal((await decrypt(await outputValue(program.passwordEnvelope))).toString(), password, "the application reads the same one");
    assert.equal(password.length, 24);
    for (const set of [LOWER, UPPER, NUMERIC, "!#$%^&*()_+-="]) {
      assert.ok([...password].filter((c) => set.includes(c)).length >= 2, `at least 2 of ${set}`);
    }
    assert.ok([...password].every((c) => (LOWER + UPPER + NUMERIC + "!#$%^&*()_+-=").includes(c)), "only the allowed characters");
    assert.deepEqual(account.inputs.kmsEncryptionContext, { app: "orders", stage: "dev" });
    const root = mocked.registered.get("alicloud:ecs/instance:Instance web")!.password!;
    assert.equal(root.length, 20);
    assert.notEqual(root, password, "each resource draws its own");
    const everything = JSON.stringify([...mocked.registered.values()].map((r) => r.inputs));
    for (const p of [password, root]) {
      for (const form of secretForms(Buffer.from(p))) assert.equal(everything.includes(form), false, "a password among the inputs");
    }
  });
});
