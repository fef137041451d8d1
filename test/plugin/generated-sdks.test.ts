import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import { after, describe, it } from "node:test";
import { generateAside } from "../../provider/plugin/build/gen-sdk";
import { docBlock } from "../support/doc-blocks";
import { GO_ENV } from "../support/go-build";

// The committed SDKs are what the schema generates (npm run plugin:sdk, Pulumi's own generators):
// a change to the schema without regenerating fails here. The Go example compiles against the
// generated Go SDK, with exactly the module hashes it commits.

const root = resolve(__dirname, "../..");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => (statSync(join(dir, e)).isDirectory() ? files(join(dir, e)) : [join(dir, e)]));
}

describe("the generated SDKs", { timeout: 15 * 60_000 }, () => {
  const cleanups: (() => void)[] = [];
  after(() => cleanups.forEach((c) => c()));

  it("are exactly what npm run plugin:sdk generates from the schema", async () => {
    const aside = await generateAside();
    cleanups.push(aside.cleanup);
    for (const language of ["python", "go"]) {
      const fresh = files(join(aside.dir, language)).map((f) => relative(aside.dir, f)).sort();
      const committed = files(join(root, "sdk", language)).map((f) => relative(join(root, "sdk"), f))
        .filter((f) => !/(__pycache__|\.egg-info|\/build\/)/.test(f)).sort();
      assert.deepEqual(committed, fresh, `sdk/${language} has the generated files (npm run plugin:sdk)`);
      for (const f of fresh) {
        assert.equal(readFileSync(join(root, "sdk", f), "utf8"), readFileSync(join(aside.dir, f), "utf8"), `sdk/${f} is as generated; run npm run plugin:sdk`);
      }
    }
  });

  it("the Go example compiles against the generated Go SDK", async () => {
    const out = mkdtempSync(join(tmpdir(), "kms-go-example-"));
    cleanups.push(() => rmSync(out, { recursive: true, force: true }));
    await promisify(execFile)("go", ["build", "-o", join(out, "example"), "."], {
      cwd: join(root, "examples/plugin-go"), env: { ...process.env, ...GO_ENV }, maxBuffer: 16 << 20,
    });
    assert.ok(statSync(join(out, "example")).size > 0);
  });

  // docs/go.md: until the SDK is published, a program beside a checkout points its module at it.
  it("docs/go.md's module lines, as written, let a new program beside a checkout build against the SDK", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kms-go-module-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    symlinkSync(root, join(dir, "pulumi-alicloud-kms-encrypted"));
    const project = join(dir, "my-program");
    mkdirSync(project);
    copyFileSync(join(root, "examples/plugin-go/main.go"), join(project, "main.go"));
    // As `pulumi new go` leaves it: a module of its own; then the page's lines (tidy writes go.sum, so not -mod=readonly).
    const env = { ...process.env, ...GO_ENV, GOFLAGS: "" };
    const sh = (script: string) => promisify(execFile)("bash", ["-e", "-c", script], { cwd: project, env, maxBuffer: 16 << 20 });
    await sh("go mod init my-program");
    await sh(docBlock("docs/go.md", "go-module-from-checkout").code);
    await sh("go build -o program .");
    assert.ok(statSync(join(project, "program")).size > 0);
    assert.match(readFileSync(join(project, "go.mod"), "utf8"), /=> \.\.\/pulumi-alicloud-kms-encrypted\/sdk/);
  });
});
