import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { after, describe, it } from "node:test";

// Every TypeScript block in the README and the documents behind it is type-checked, as a module of its own, against the
// package's own types (strict, as a user's Pulumi project would be), so no snippet can rot. A
// fragment that uses names it does not define says what they are in an HTML comment right above
// it, `<!-- ts-context: declare const ciphertextBlob: string; -->`, and nothing else is added.

const repoRoot = resolve(__dirname, "../..");

interface Snippet {
  file: string;
  line: number;
  context: string;
  code: string;
}

/** The ```ts blocks of a Markdown file, each with the line its code starts on and its declared context. */
export function tsSnippets(file: string): Snippet[] {
  const text = readFileSync(join(repoRoot, file), "utf8");
  const snippets: Snippet[] = [];
  for (const m of text.matchAll(/(?:<!-- ts-context: ([\s\S]*?) -->\n)?```ts\n([\s\S]*?)```/g)) {
    const line = text.slice(0, m.index).split("\n").length + (m[1] === undefined ? 1 : m[0].split("```ts")[0]!.split("\n").length);
    snippets.push({ file, line, context: m[1] ?? "", code: m[2]! });
  }
  return snippets;
}

/** The README and the documents behind it (the generated API reference has no examples of ours). */
const documents = ["README.md", "CONTRIBUTING.md", ...readdirSync(join(repoRoot, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

describe("TypeScript in the README and docs/", () => {
  // At the repository's root, where the contributors' snippets' relative imports (./test/…) resolve.
  const prefix = `.readme-snippet-${process.pid}-`;
  const written: string[] = [];
  after(() => {
    for (const file of written) rmSync(join(repoRoot, file), { force: true });
  });

  it("every ```ts block type-checks against the package", () => {
    const snippets = documents.flatMap(tsSnippets);
    assert.ok(snippets.length >= 10, `found ${snippets.length} blocks`);
    const names = snippets.map((s, i) => {
      const name = `${prefix}${i}.ts`;
      written.push(name);
      // The context on the first line, so the snippet's lines keep their numbers (+1).
      writeFileSync(join(repoRoot, name), `${s.context.replace(/\n/g, " ")} export {};\n${s.code}`);
      return name;
    });
    const config = `${prefix}tsconfig.json`;
    written.push(config);
    // ES modules, so an application's top-level await is allowed; the package by name, as a user imports it.
    writeFileSync(join(repoRoot, config), JSON.stringify({
      compilerOptions: {
        strict: true, noEmit: true, target: "ES2022", module: "ES2022", moduleResolution: "bundler", esModuleInterop: true,
        types: ["node"], skipLibCheck: true,
        paths: {
          "pulumi-alicloud-kms-encrypted": ["./sdk/index.ts"],
          "pulumi-alicloud-kms-encrypted/decrypt": ["./sdk/decrypt.ts"],
          "pulumi-alicloud-kms-encrypted/plugin": ["./sdk/plugin.ts"],
        },
      },
      files: names,
    }));
    let output = "";
    try {
      execFileSync(process.execPath, [join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", join(repoRoot, config)],
        { encoding: "utf8", stdio: "pipe" });
    } catch (e) {
      output = String((e as { stdout?: string }).stdout ?? e);
    }
    // Each error as <file>:<line>, for whoever fixes the snippet.
    const errors = [...output.matchAll(/readme-snippet-\d+-(\d+)\.ts\((\d+),\d+\): (error TS\d+: .*)/g)]
      .map(([, i, line, message]) => `${snippets[Number(i)]!.file}:${snippets[Number(i)]!.line + Number(line) - 2}: ${message}`);
    assert.deepEqual(errors, [], output.slice(0, 3000));
  });
});
