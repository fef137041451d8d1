import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, it } from "node:test";

// Every example is a project that runs where it stands: Pulumi.yaml, a package.json naming the
// tarball `npm pack` writes at the checkout's root and the versions the tests use, and a
// tsconfig.json as `pulumi new typescript` lays it out, listing every TypeScript file it has.
// (test/e2e/example-readmes.test.ts runs them that way, their READMEs' lines as written.)

const repoRoot = resolve(__dirname, "../..");
const root = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string; devDependencies: Record<string, string> };
const all = readdirSync(join(repoRoot, "examples"), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
// The Node ones; the plugin's examples (plugin-*) are YAML, Python and Go projects, checked by test/plugin/.
const examples = all.filter((name) => name !== "quickstart" && !name.startsWith("plugin-"));

describe("examples/*, each a project of its own", () => {
  it("there are twelve, and the plugin's three", () => {
    assert.equal(examples.length, 12, examples.join(", "));
    assert.deepEqual(all.filter((name) => name.startsWith("plugin-")).sort(), ["plugin-go", "plugin-python", "plugin-yaml"]);
  });

  for (const name of examples) {
    it(`${name}: package.json and tsconfig.json fit its code and this checkout`, () => {
      const dir = join(repoRoot, "examples", name);
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Record<string, Record<string, string>>;
      const project = /^name:\s*(\S+)/m.exec(readFileSync(join(dir, "Pulumi.yaml"), "utf8"))?.[1];
      assert.equal(pkg.name as unknown as string, project, "package.json and Pulumi.yaml name the same project");
      assert.equal(pkg.dependencies!["pulumi-alicloud-kms-encrypted"], `file:../../pulumi-alicloud-kms-encrypted-${root.version}.tgz`);
      for (const dep of ["@pulumi/pulumi", "@pulumi/alicloud"]) {
        if (pkg.dependencies![dep] !== undefined) assert.equal(pkg.dependencies![dep], root.devDependencies[dep], `${dep} as the tests use it`);
      }
      for (const dep of ["typescript", "@types/node"]) assert.equal(pkg.devDependencies![dep], root.devDependencies[dep], dep);
      const sources = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts") && !f.includes("node_modules"));
      const code = sources.map((f) => readFileSync(join(dir, f), "utf8")).join("\n");
      assert.equal(pkg.dependencies!["@pulumi/alicloud"] !== undefined, code.includes("@pulumi/alicloud"), "@pulumi/alicloud exactly when it is used");
      const tsconfig = JSON.parse(readFileSync(join(dir, "tsconfig.json"), "utf8")) as { compilerOptions: Record<string, unknown>; files: string[] };
      assert.deepEqual([...tsconfig.files].sort(), sources.sort());
      assert.equal(tsconfig.compilerOptions.strict, true);
      assert.ok(existsSync(join(dir, "README.md")));
      assert.match(readFileSync(join(dir, "README.md"), "utf8"), /Run it where it stands/);
    });
  }
});
