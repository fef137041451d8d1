import assert from "node:assert/strict";
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import type { PluginInfo } from "@pulumi/pulumi/proto/plugin_pb";
import { hostPlatform, packagePlugin, packageVersion, tarballName } from "../../provider/plugin/build/package";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { applicationEnv } from "../support/application-env";

// `npm run plugin:package -- --standalone`: the plugin and the CLI as Node single executables, which
// run with no Node anywhere on PATH. The plugin's tarball holds the executable at its top level and
// serves the engine's GetPluginInfo; the CLI encrypts through the emulator and decrypts it again.
// (The JavaScript tarballs run through the real CLI in test/e2e/plugin-yaml.test.ts and plugin-python.test.ts.)

describe("the standalone (single executable) builds", { timeout: 10 * 60_000 }, () => {
  let dir: string;
  let files: string[];
  let emulator: KmsEmulator;
  let plugin: ChildProcess | undefined;
  /** An empty PATH: nothing to find, Node least of all. */
  let noPath: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "kms-standalone-"));
    noPath = join(dir, "empty-path");
    mkdirSync(noPath);
    files = await packagePlugin({ standalone: true, out: join(dir, "plugin") });
    emulator = await startKmsEmulator();
  });
  after(async () => {
    plugin?.kill();
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the plugin's tarball holds one executable at its top level, which serves the engine with no Node on PATH", async () => {
    const tarball = files.find((f) => f.endsWith(join("standalone", tarballName(packageVersion(), hostPlatform()))))!;
    assert.ok(tarball, "a standalone tarball for this platform");
    const listed = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).trim().split("\n").sort();
    assert.deepEqual(listed, ["LICENSE", "pulumi-resource-alicloud-kms"]);
    const unpacked = join(dir, "unpacked");
    mkdirSync(unpacked);
    execFileSync("tar", ["-xzf", tarball, "-C", unpacked]);
    plugin = spawn(join(unpacked, "pulumi-resource-alicloud-kms"), [], { env: { PATH: noPath }, stdio: ["ignore", "pipe", "pipe"] });
    const port = await new Promise<number>((ready, failed) => {
      let out = "";
      plugin!.stdout!.on("data", (c: Buffer) => {
        out += c.toString();
        if (out.includes("\n")) ready(Number(out.trim()));
      });
      plugin!.once("exit", (code) => failed(new Error(`the plugin exited ${code}`)));
    });
    const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
      const info = await new Promise<PluginInfo>((done, failed) =>
        client.getPluginInfo(new Empty(), (e, r) => (e ? failed(e) : done(r))));
      assert.equal(info.getVersion(), packageVersion());
    } finally {
      client.close();
    }
  });

  it("the CLI encrypts and decrypts with no Node on PATH", async () => {
    const cli = files.find((f) => f.endsWith(`pulumi-alicloud-kms-encrypted-${hostPlatform()}`))!;
    assert.ok(statSync(cli).size > 10 << 20, "a whole Node inside");
    const env = { PATH: noPath, ...applicationEnv(emulator, emulator), ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true" };
    const run = (args: string[], input: string) => new Promise<{ stdout: string; stderr: string }>((done, failed) => {
      const child = execFile(cli, args, { env }, (e, stdout, stderr) => (e ? failed(new Error(`${e.message}\n${stderr}`)) : done({ stdout, stderr })));
      child.stdin!.end(input);
    });
    const secret = `standalone-${Date.now()}`;
    const envelope = (await run(["encrypt", "--key-id", "alias/rsa-2048"], secret)).stdout.trim();
    const opened = await run(["decrypt"], envelope);
    assert.equal(opened.stdout, secret);
    assert.equal(opened.stderr, "", "nothing on stderr: no warning about modules it cannot load");
  });
});
