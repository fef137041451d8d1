import assert from "node:assert/strict";
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { encryptCommand } from "../../sdk/cli/encrypt-command";
import { packPackage, removeRoot, tempRoot } from "../e2e/pulumi-project";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { ACCESS_KEY, seed } from "../provider/fixtures";
import { call, officialClient } from "../support/kms-client";
import { npmProject, run } from "./consumer-project";
import { applicationEnv } from "../support/application-env";
import { repoPulumiVersion } from "../support/shared-build";

// The packed package as its users install it, in fresh projects outside the repository:
//   - a Pulumi program laid out as `pulumi new typescript` lays it out, type-checked under every
//     module resolution TypeScript offers, with TypeScript 5 and 6 (what @pulumi/pulumi accepts);
//   - an application that only decrypts, installed without @pulumi/pulumi (an optional peer),
//     type-checked the same way and with TypeScript 7 too, then run against the KMS emulator as
//     CommonJS and as an ES module, with the CLI from its node_modules/.bin.

const repoRoot = resolve(__dirname, "../..");
const fixtures = join(__dirname, "consumers");
const repoTypeScript = JSON.parse(readFileSync(join(repoRoot, "node_modules/typescript/package.json"), "utf8")).version as string;
const repoPulumi = repoPulumiVersion();
const repoTypesNode = JSON.parse(readFileSync(join(repoRoot, "node_modules/@types/node/package.json"), "utf8")).version as string;
/** TypeScript majors under test: the repository's 5, and the newest 6 and 7 on the day this was written. */
const TYPESCRIPT = { 5: repoTypeScript, 6: "6.0.3", 7: "7.0.2" } as const;
type Major = keyof typeof TYPESCRIPT;

const RESOLUTIONS = [
  { moduleResolution: "node10", module: "commonjs" }, // `pulumi new typescript` before 2025 ("node")
  { moduleResolution: "node16", module: "node16" },
  { moduleResolution: "nodenext", module: "nodenext" }, // `pulumi new typescript` today
  { moduleResolution: "bundler", module: "esnext" },
] as const;
type Resolution = (typeof RESOLUTIONS)[number];

/** Pulumi's TypeScript template's compiler options, with the resolution under test. */
function tsconfig(r: Resolution, major: Major, files: string[]) {
  return {
    compilerOptions: {
      strict: true,
      outDir: "bin",
      target: "es2022",
      module: r.module,
      moduleResolution: r.moduleResolution,
      sourceMap: true,
      experimentalDecorators: true,
      pretty: false,
      noFallthroughCasesInSwitch: true,
      noImplicitReturns: true,
      forceConsistentCasingInFileNames: true,
      types: ["node"],
      // TypeScript 6 deprecates node10 resolution (7 removes it); a project still on it says so.
      ...(major === 6 && r.moduleResolution === "node10" ? { ignoreDeprecations: "6.0" } : {}),
    },
    files,
  };
}

describe("the packed package in its users' projects", { timeout: 20 * 60_000 }, () => {
  let root: string;
  let tarball: string;
  let emulator: KmsEmulator;
  let program: string;
  let app: string;
  const tsc: Partial<Record<Major, string>> = {};

  /** Type-checks a project under one resolution; returns tsc's diagnostics ("" when clean). */
  async function typeCheck(dir: string, r: Resolution, major: Major, files: string[], emit = false): Promise<string> {
    const config = join(dir, `tsconfig.${r.moduleResolution}.json`);
    const options = tsconfig(r, major, files);
    const checkOnly = { ...options, compilerOptions: { ...options.compilerOptions, noEmit: true } };
    writeFileSync(config, JSON.stringify(emit ? options : checkOnly, null, 2));
    const checked = await run(process.execPath, [tsc[major]!, "-p", config], { cwd: dir });
    return `${checked.stdout}${checked.stderr}`.trim();
  }

  const emulatorEnv = () => ({
    PATH: process.env.PATH,
    HOME: root,
    ...applicationEnv(emulator, ACCESS_KEY),
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true",
  });

  before(async () => {
    root = tempRoot();
    emulator = await startKmsEmulator({ seed });
    tarball = packPackage(root);
    tsc[5] = join(repoRoot, "node_modules/typescript/bin/tsc");
    for (const major of [6, 7] as const) {
      const dir = await npmProject(join(root, `typescript-${major}`), { typescript: TYPESCRIPT[major] });
      tsc[major] = join(dir, "node_modules/typescript/bin/tsc");
    }
    program = await npmProject(join(root, "pulumi-program"),
      { "@pulumi/pulumi": repoPulumi, "pulumi-alicloud-kms-encrypted": `file:${tarball}` }, { "@types/node": repoTypesNode });
    writeFileSync(join(program, "Pulumi.yaml"), "name: consumer\nruntime: nodejs\n");
    copyFileSync(join(fixtures, "pulumi-program/index.ts"), join(program, "index.ts"));
    app = await npmProject(join(root, "decrypt-app"), { "pulumi-alicloud-kms-encrypted": `file:${tarball}` }, { "@types/node": repoTypesNode });
    for (const file of ["index.ts", "esm.mts"]) copyFileSync(join(fixtures, "decrypt-app", file), join(app, file));
  });
  after(async () => {
    await emulator?.close();
    if (root) removeRoot(root);
  });

  it("the tarball holds the license, the sources its source maps name, and nothing stale", () => {
    const pkg = join(program, "node_modules/pulumi-alicloud-kms-encrypted");
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
    const shipped = files(pkg).map((f) => relative(pkg, f));
    assert.match(readFileSync(join(pkg, "LICENSE"), "utf8"), /^\s*Apache License\s+Version 2\.0, January 2004/);
    const manifest = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8"));
    assert.match(manifest.repository.url, /^git\+https:\/\/github\.com\/[\w.-]+\/[\w.-]+\.git$/);
    for (const map of shipped.filter((f) => f.endsWith(".js.map"))) {
      for (const source of JSON.parse(readFileSync(join(pkg, map), "utf8")).sources as string[]) {
        assert.ok(existsSync(join(pkg, map, "..", source)), `${map} names ${source}, which is shipped`);
      }
    }
    for (const js of shipped.filter((f) => f.startsWith("dist/") && f.endsWith(".js"))) {
      const source = js.replace(/^dist\//, "").replace(/\.js$/, ".ts");
      assert.ok(shipped.includes(source), `${js} was built from ${source} (no stale build output)`);
    }
    assert.equal(shipped.some((f) => /(^|\/)(test|examples|bench)\//.test(f)), false, "no tests, examples or benchmarks");
  });

  for (const major of [5, 6] as const) {
    for (const r of RESOLUTIONS) {
      it(`a Pulumi program type-checks with TypeScript ${major} under ${r.moduleResolution} resolution`, async () => {
        assert.equal(await typeCheck(program, r, major, ["index.ts"]), "");
      });
    }
  }

  for (const major of [5, 6, 7] as const) {
    for (const r of RESOLUTIONS) {
      if (major === 7 && r.moduleResolution === "node10") continue; // removed in TypeScript 7
      it(`an application that only decrypts type-checks with TypeScript ${major} under ${r.moduleResolution} resolution`, async () => {
        const esm = r.moduleResolution === "node16" || r.moduleResolution === "nodenext" ? ["esm.mts"] : [];
        assert.equal(await typeCheck(app, r, major, ["index.ts", ...esm]), "");
      });
    }
  }

  it("the check above can fail: without typesVersions, node10 resolution cannot see the /decrypt subpath", async () => {
    const manifestPath = join(app, "node_modules/pulumi-alicloud-kms-encrypted/package.json");
    const manifest = readFileSync(manifestPath, "utf8");
    try {
      writeFileSync(manifestPath, JSON.stringify({ ...JSON.parse(manifest), typesVersions: undefined }));
      assert.match(await typeCheck(app, RESOLUTIONS[0], 5, ["index.ts"]), /TS2307: Cannot find module 'pulumi-alicloud-kms-encrypted\/decrypt'/);
    } finally {
      writeFileSync(manifestPath, manifest);
    }
  });

  it("without @pulumi/pulumi: decrypt() runs as CommonJS and as an ES module, the CLI round trips, the main entry says what to install", async () => {
    assert.equal(existsSync(join(app, "node_modules/@pulumi/pulumi")), false, "the optional peer is not installed");
    assert.equal(await typeCheck(app, RESOLUTIONS[2], 5, ["index.ts", "esm.mts"], true), "");
    const env = emulatorEnv();
    const envelope = await encryptCommand({ keyId: "alias/app", envelope: true, local: false }, Buffer.from("from the envelope"), env);
    const client = officialClient(emulator);
    const version = String(((await call(client, "DescribeKey", { KeyId: "key-rsa2048" })).KeyMetadata as Record<string, unknown>).PrimaryKeyVersion);
    const bare = await call(client, "AsymmetricEncrypt", {
      KeyId: "key-rsa2048", KeyVersionId: version, Algorithm: "RSAES_OAEP_SHA_256", Plaintext: Buffer.from("from the bare one").toString("base64"),
    });
    const secrets = {
      SECRET_ENVELOPE: envelope, SECRET_CIPHERTEXT: String(bare.CiphertextBlob), SECRET_KEY_ID: "key-rsa2048",
      SECRET_KEY_VERSION_ID: version, SECRET_REGION: emulator.region,
    };
    const cjs = await run(process.execPath, ["bin/index.js"], { cwd: app, env: { ...env, ...secrets } });
    assert.equal(cjs.code, 0, cjs.stderr);
    assert.deepEqual(JSON.parse(cjs.stdout), { envelope: "from the envelope", bare: "from the bare one" });
    const esm = await run(process.execPath, ["bin/esm.mjs"], { cwd: app, env: { ...env, ...secrets } });
    assert.equal(esm.code, 0, esm.stderr);
    assert.equal(esm.stdout, "from the envelope");

    const bin = join(app, "node_modules/.bin/pulumi-alicloud-kms-encrypted");
    const sealed = await run(bin, ["encrypt", "--key-id", "alias/app", "--envelope"], { cwd: app, env, input: "through the CLI" });
    assert.equal(sealed.code, 0, sealed.stderr);
    const opened = await run(bin, ["decrypt"], { cwd: app, env, input: sealed.stdout });
    assert.equal(opened.code, 0, opened.stderr);
    assert.equal(opened.stdout, "through the CLI");
    const openedBare = await run(bin, ["decrypt", "--key-id", "key-rsa2048", "--key-version-id", version, "--algorithm", "RSAES_OAEP_SHA_256"],
      { cwd: app, env, input: String(bare.CiphertextBlob) });
    assert.equal(openedBare.code, 0, openedBare.stderr);
    assert.equal(openedBare.stdout, "from the bare one");

    const main = await run(process.execPath, ["-e", "require('pulumi-alicloud-kms-encrypted')"], { cwd: app, env });
    assert.notEqual(main.code, 0);
    assert.match(main.stderr, /PulumiPeerMissing: pulumi-alicloud-kms-encrypted: EncryptedValue runs inside a Pulumi program, which installs @pulumi\/pulumi \(npm install @pulumi\/pulumi\); an application that only decrypts imports "pulumi-alicloud-kms-encrypted\/decrypt"/);
    assert.doesNotMatch(main.stderr, /Require stack|\n\s+at /, "no require stack, no stack trace");
  });
});
