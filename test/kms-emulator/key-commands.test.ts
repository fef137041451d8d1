import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { type KmsEmulator, startKmsEmulator } from "./index";
import { call, officialClient } from "../support/kms-client";

// The operator's commands on a running emulator, as the README shows them: rotate, disable and
// enable a key by ID or alias without writing a client; the answers are checked through the
// official SDK (DescribeKey, Encrypt), and a wrong key or no emulator fails in one sentence.

const cli = resolve(__dirname, "cli.ts");

function command(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ["--import", "tsx", cli, ...args], { env: { PATH: process.env.PATH, ...env } },
      (error, stdout, stderr) => done({ code: error ? Number(error.code) : 0, stdout, stderr }));
  });
}

describe("kms-emulator --vpc-port", () => {
  it("serves the VPC gateway on the port given, and stops on SIGTERM", async () => {
    const free = await new Promise<number>((found) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => found(port));
      });
    });
    const child = spawn(process.execPath, ["--import", "tsx", cli, "--port", "0", "--vpc-port", String(free)], { stdio: ["ignore", "pipe", "ignore"] });
    try {
      const line = await new Promise<string>((read) => child.stdout.once("data", (c: Buffer) => read(c.toString())));
      const started = JSON.parse(line) as { vpcEndpoint: string };
      assert.equal(started.vpcEndpoint, `http://127.0.0.1:${free}`);
      assert.deepEqual(await (await fetch(`${started.vpcEndpoint}/__emulator/health`)).json(), { ok: true });
    } finally {
      const exited = new Promise((done) => child.once("exit", done));
      child.kill("SIGTERM");
      await exited;
    }
  });
});

describe("kms-emulator rotate|disable|enable|list", () => {
  let emulator: KmsEmulator;
  const describeKey = async (keyId: string) =>
    (await call(officialClient(emulator), "DescribeKey", { KeyId: keyId })).KeyMetadata as Record<string, string>;
  before(async () => {
    emulator = await startKmsEmulator();
  });
  after(() => emulator.close());

  it("the default set has a symmetric key, alias/aes-256, that encrypts", async () => {
    assert.equal((await describeKey("alias/aes-256")).KeySpec, "Aliyun_AES_256");
    const sealed = await call(officialClient(emulator), "Encrypt", { KeyId: "alias/aes-256", Plaintext: "hello" });
    assert.equal((await call(officialClient(emulator), "Decrypt", { CiphertextBlob: String(sealed.CiphertextBlob) })).Plaintext, "hello");
  });

  it("rotate makes a new primary version; disable and enable change the key's state", async () => {
    const before = await describeKey("alias/rsa-2048");
    const rotated = await command(["rotate", "alias/rsa-2048", "--endpoint", emulator.endpoint]);
    assert.equal(rotated.code, 0, rotated.stderr);
    const answer = JSON.parse(rotated.stdout) as Record<string, string>;
    assert.equal(answer.KeyId, before.KeyId);
    assert.notEqual(answer.PrimaryKeyVersion, before.PrimaryKeyVersion);
    assert.equal((await describeKey(before.KeyId!)).PrimaryKeyVersion, answer.PrimaryKeyVersion);

    // The endpoint from the environment, as the README's recipe exports it.
    const disabled = await command(["disable", "alias/aes-256"], { ALIBABA_CLOUD_KMS_ENDPOINT: emulator.endpoint });
    assert.equal(disabled.code, 0, disabled.stderr);
    assert.equal(JSON.parse(disabled.stdout).KeyState, "Disabled");
    await assert.rejects(call(officialClient(emulator), "Encrypt", { KeyId: "alias/aes-256", Plaintext: "x" }), /Disabled/);
    const enabled = await command(["enable", "alias/aes-256", "--endpoint", emulator.endpoint]);
    assert.equal(JSON.parse(enabled.stdout).KeyState, "Enabled");
    assert.equal((await describeKey("alias/aes-256")).KeyState, "Enabled");
  });

  it("list prints every key with its aliases and every certificate; list certificates their IDs only; checked against DescribeKey", async () => {
    const listed = await command(["list", "--endpoint", emulator.endpoint]);
    assert.equal(listed.code, 0, listed.stderr);
    const lines = listed.stdout.trim().split("\n");
    const rsa = await describeKey("alias/app-secrets");
    assert.equal(rsa.KeySpec, "RSA_2048", "the name the README's program uses, on the default RSA key");
    assert.ok(lines.includes(`key ${rsa.KeyId} RSA_2048 ENCRYPT/DECRYPT Enabled alias/rsa-2048 alias/app-secrets`), listed.stdout);
    assert.equal((await describeKey("alias/billing")).KeySpec, "Aliyun_AES_256");
    assert.equal((await describeKey("alias/sm2-secrets")).KeySpec, "EC_SM2");
    const certificates = await command(["list", "certificates"], { ALIBABA_CLOUD_KMS_ENDPOINT: emulator.endpoint });
    const [certificateId, ...more] = certificates.stdout.trim().split("\n");
    assert.deepEqual(more, []);
    assert.ok(lines.includes(`certificate ${certificateId} RSA_2048`));
    const described = await call(officialClient(emulator), "DescribeCertificate", { CertificateId: certificateId! });
    assert.equal(described.CertificateId, certificateId);
    const wrong = await command(["list", "aliases"]);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /^kms-emulator: list takes nothing, or certificates/);
  });

  it("a key it does not hold, no emulator, or a wrong call: exit 1 or 2 in one sentence", async () => {
    const missing = await command(["disable", "alias/nope", "--endpoint", emulator.endpoint]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^kms-emulator: DisableKey "alias\/nope": Forbidden\.AliasNotFound: /);
    const nobody = await command(["rotate", "alias/rsa-2048", "--endpoint", "http://127.0.0.1:9"]);
    assert.equal(nobody.code, 1);
    assert.equal(nobody.stderr, "kms-emulator: no emulator answers at http://127.0.0.1:9; start one (npm run kms-emulator) or pass --endpoint\n");
    const two = await command(["enable", "k1", "k2"]);
    assert.equal(two.code, 2);
    assert.match(two.stderr, /^kms-emulator: enable takes one key: its ID, alias\/<name> or ARN/);
  });
});
