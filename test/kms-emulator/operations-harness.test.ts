import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Agent, request as httpRequest } from "node:http";
import type { Socket } from "node:net";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import { call, officialClient, rejection } from "../support/kms-client";
import { startKmsEmulator } from "./index";

// What the rest of the project's tests stand on: the shell entry point, --qps throttling, idle
// connections kept longer than clients keep them, fault injection and --data-dir persistence.

const seed = {
  accessKeys: [{ accessKeyId: "LTAIharness", accessKeySecret: "harness-secret" }],
  keys: [{ keyId: "key-h", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT", aliases: ["h"] }],
  certificates: [],
} as const;

/** Starts `npm run --silent kms-emulator -- …` and reads its one stdout line. */
async function startCli(args: string[]): Promise<{ child: ChildProcess; line: string; stdout: string[] }> {
  const child = spawn("npm", ["run", "--silent", "kms-emulator", "--", ...args], {
    cwd: join(__dirname, "..", ".."),
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stdout: string[] = [];
  const lines = createInterface({ input: child.stdout! });
  const line = await new Promise<string>((resolve, reject) => {
    lines.on("line", (l) => {
      stdout.push(l);
      resolve(l);
    });
    child.once("exit", (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  return { child, line, stdout };
}

describe("emulator harness", () => {
  it("the shell entry prints exactly one JSON line, serves, and stops cleanly on SIGTERM", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kms-cli-"));
    try {
      const seedFile = join(dir, "seed.json");
      writeFileSync(seedFile, JSON.stringify(seed));
      const { child, line, stdout } = await startCli([
        "--port",
        "0",
        "--seed",
        seedFile,
        "--keys-dir",
        join(dir, "keys"),
      ]);
      const info = JSON.parse(line) as { endpoint: string; accessKeyId: string; accessKeySecret: string };
      assert.deepEqual(Object.keys(info), ["endpoint", "vpcEndpoint", "accessKeyId", "accessKeySecret"]);
      assert.match(info.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(info.accessKeyId, "LTAIharness");
      const url = new URL(info.endpoint);
      const client = officialClient({ ...info, host: url.host, region: "cn-hangzhou" });
      const described = await call(client, "DescribeKey", { KeyId: "alias/h" });
      assert.equal((described.KeyMetadata as Record<string, string>).KeyId, "key-h");
      assert.equal(readdirSync(join(dir, "keys", "key-h")).length, 1);

      let stderr = "";
      child.stderr?.on("data", (d) => {
        stderr += d;
      });
      const exited = new Promise<[number | null, string | null]>((resolve) =>
        child.once("exit", (code, signal) => resolve([code, signal])),
      );
      child.kill("SIGTERM");
      // npm re-raises the signal its script ended on; the emulator itself exits 0, quietly.
      const [code, signal] = await exited;
      assert.ok(code === 0 || signal === "SIGTERM", `exit ${code} ${signal}`);
      assert.equal(stderr, "", "no error output on shutdown");
      await assert.rejects(fetch(`${info.endpoint}/__emulator/health`), "the port is closed");
      assert.deepEqual(stdout, [line], "nothing but the JSON line on stdout");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // 400 at once: twice the bucket, and within the listen backlog (511), so that under a loaded
  // machine every connection is accepted rather than some timing out before the emulator sees them.
  it("--qps 200: a burst of 400 calls is partly throttled, and the stats count it", async () => {
    const emulator = await startKmsEmulator({ seed: structuredClone(seed) as never, qps: 200 });
    try {
      const client = officialClient(emulator);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 400 }, () => call(client, "DescribeKey", { KeyId: "key-h" })),
      );
      const throttled = outcomes.filter(
        (o) => o.status === "rejected" && (o.reason as { code: string }).code === "ThrottlingError",
      ).length;
      const succeeded = outcomes.filter((o) => o.status === "fulfilled").length;
      assert.equal(throttled + succeeded, 400, "every call either succeeded or was throttled");
      assert.ok(throttled > 0, "some calls were throttled");
      assert.ok(succeeded >= 200, `at least one second's burst succeeded (got ${succeeded})`);
      const stats = emulator.stats();
      assert.equal(stats.throttled, throttled);
      assert.equal(stats.calls.DescribeKey, 400);
    } finally {
      await emulator.close();
    }
  });

  // Node's own server default (5 s, closed about a second later) raced the official SDK's agent,
  // which keeps idle sockets with no limit: a call reusing one as the emulator closed it read ECONNRESET.
  it("an idle keep-alive connection stays open well past Node's default, and the next request reuses it", async () => {
    const emulator = await startKmsEmulator({ seed: structuredClone(seed) as never });
    const agent = new Agent({ keepAlive: true });
    try {
      const socketOf = () => new Promise<Socket>((done, failed) => {
        const req = httpRequest(new URL("/__emulator/stats", emulator.endpoint), { agent }, (res) => res.resume());
        req.on("socket", done);
        req.on("error", failed);
        req.end();
      });
      const first = await socketOf();
      let closedByServer = false;
      first.once("end", () => (closedByServer = true));
      await sleep(6_500);
      assert.equal(closedByServer, false, "the emulator closed an idle connection within 6.5 s");
      assert.equal(await socketOf(), first, "the next request reuses the same connection");
    } finally {
      agent.destroy();
      await emulator.close();
    }
  });

  it("fault injection: errors, latency and dropped connections, set through POST /__emulator/faults", async () => {
    const emulator = await startKmsEmulator({ seed: structuredClone(seed) as never });
    try {
      const client = officialClient(emulator);
      const set = (faults: object) =>
        fetch(`${emulator.endpoint}/__emulator/faults`, { method: "POST", body: JSON.stringify(faults) });
      assert.equal((await set({ errorRate: 2 })).status, 400);

      await set({ errorRate: 1 });
      const e = await rejection(call(client, "DescribeKey", { KeyId: "key-h" }));
      assert.equal(e.code, "InternalFailureError");
      assert.match(e.message, /code: 500/);

      await set({ errorRate: 0, latencyMs: 300 });
      const start = Date.now();
      await call(client, "DescribeKey", { KeyId: "key-h" });
      assert.ok(Date.now() - start >= 290, "latency was added");

      await set({ latencyMs: 0, dropRate: 1, actions: ["AsymmetricEncrypt"] });
      await call(client, "DescribeKey", { KeyId: "key-h" }); // other actions unaffected
      const dropped = await rejection(
        call(client, "AsymmetricEncrypt", {
          KeyId: "key-h",
          KeyVersionId: "v",
          Algorithm: "RSAES_OAEP_SHA_256",
          Plaintext: "eA==",
        }),
      );
      assert.match(String((dropped as unknown as Error).message), /socket hang up|ECONNRESET/);

      // Deterministic faults, counted from the setting: every 3rd call errs, every 4th is dropped.
      await set({ dropRate: 0, actions: [], errorEvery: 3, dropEvery: 4 });
      const outcomes: string[] = [];
      for (let i = 1; i <= 8; i++) {
        outcomes.push(await call(client, "DescribeKey", { KeyId: "key-h" }).then(
          () => "ok",
          (err: { code?: string }) => (err.code === "InternalFailureError" ? "error" : "drop"),
        ));
      }
      assert.deepEqual(outcomes, ["ok", "ok", "error", "drop", "ok", "error", "ok", "drop"]);
      assert.equal((await set({ errorEvery: 1.5 })).status, 400);
    } finally {
      await emulator.close();
    }
  });

  it("--data-dir keeps keys, versions, aliases and states across a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kms-data-"));
    try {
      const first = await startKmsEmulator({ seed: structuredClone(seed) as never, dataDir: dir });
      const client = officialClient(first);
      const created = (await call(client, "CreateKey", { KeySpec: "EC_SM2", KeyUsage: "ENCRYPT/DECRYPT" }))
        .KeyMetadata as Record<string, string>;
      const keyId = created.KeyId!;
      const version = (await call(client, "CreateKeyVersion", { KeyId: keyId })).KeyVersion as Record<
        string,
        string
      >;
      await call(client, "CreateAlias", { KeyId: keyId, AliasName: "alias/kept" });
      await call(client, "DisableKey", { KeyId: "key-h" });
      await call(client, "EnableKey", { KeyId: keyId });
      const encrypted = await call(client, "AsymmetricEncrypt", {
        KeyId: keyId,
        KeyVersionId: version.KeyVersionId!,
        Algorithm: "SM2PKE",
        Plaintext: Buffer.from("persisted").toString("base64"),
      });
      await first.close();
      assert.ok(existsSync(join(dir, "kms-state.json")));

      const second = await startKmsEmulator({ seed: structuredClone(seed) as never, dataDir: dir });
      try {
        const again = officialClient(second);
        const meta = (await call(again, "DescribeKey", { KeyId: "alias/kept" })).KeyMetadata as Record<
          string,
          string
        >;
        assert.equal(meta.PrimaryKeyVersion, version.KeyVersionId);
        const old = (await call(again, "DescribeKey", { KeyId: "key-h" })).KeyMetadata as Record<
          string,
          string
        >;
        assert.equal(old.KeyState, "Disabled");
        const decrypted = await call(again, "AsymmetricDecrypt", {
          KeyId: keyId,
          KeyVersionId: version.KeyVersionId!,
          Algorithm: "SM2PKE",
          CiphertextBlob: String(encrypted.CiphertextBlob),
        });
        assert.equal(Buffer.from(String(decrypted.Plaintext), "base64").toString(), "persisted");
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a bad seed is refused with a message naming the field", async () => {
    await assert.rejects(
      startKmsEmulator({
        seed: {
          accessKeys: [{ accessKeyId: "a", accessKeySecret: "b" }],
          keys: [{ keySpec: "EC_P256", keyUsage: "ENCRYPT/DECRYPT" }],
        } as never,
      }),
      /keys\[0\]\.keyUsage "ENCRYPT\/DECRYPT" is not valid for EC_P256/,
    );
  });
});
