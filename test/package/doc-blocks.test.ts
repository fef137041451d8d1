import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import ts from "typescript";
import { parseAllDocuments } from "yaml";
import { type DocBlock, docBlock, docBlocks, repoRoot, runId, shellCommands, userDocuments } from "../support/doc-blocks";

// Every fenced block of README.md, docs/*.md and examples/*/README.md says how it is checked (see
// test/support/doc-blocks.ts): run as written by a test that fetches it by its id, type-checked (```ts),
// or, when it needs an account, parsed here. A block that says nothing, a run: id no test fetches,
// or an account block that does not parse fails, naming file:line.

const blocks = userDocuments().flatMap(docBlocks);
/** The ```ts blocks test/package/readme-snippets.test.ts type-checks: those of the README and docs/. */
const typeChecked = (b: DocBlock) => b.lang === "ts" && !b.file.startsWith("examples/");
const where = (b: DocBlock) => `${b.file}:${b.line}`;
const partOf = (b: DocBlock) => /^part of: (\S+)$/.exec(b.marker)?.[1];
/** Debt: runnable without an account, not run as written yet. The count may only go down. */
const notRunYet = (b: DocBlock) => b.marker.startsWith("not run yet: ");
const NOT_RUN_YET_AT_MOST = 0;

/** Every test source, to find which ids are fetched (docBlock("<file>", "<id>")). */
function testSources(dir = join(repoRoot, "test")): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === "node_modules") return [];
    if (statSync(path).isDirectory()) return testSources(path);
    return name.endsWith(".ts") ? [readFileSync(path, "utf8")] : [];
  });
}

/** A resource's input names: this package's schema, or @pulumi/alicloud's <Resource>Args; undefined if unknown. */
function inputsOf(type: string): Set<string> | undefined {
  const [pkg, module, name] = type.split(":") as [string, string, string];
  if (pkg === "alicloud-kms") {
    const schema = JSON.parse(readFileSync(join(repoRoot, "provider/plugin/schema.json"), "utf8")) as
      { resources: Record<string, { inputProperties: object }> };
    const resource = schema.resources[type];
    return resource && new Set(Object.keys(resource.inputProperties));
  }
  try {
    const file = join(repoRoot, "node_modules/@pulumi/alicloud", module, `${name[0]!.toLowerCase()}${name.slice(1)}.d.ts`);
    const text = readFileSync(file, "utf8");
    const body = new RegExp(`export interface ${name}Args \\{([\\s\\S]*?)\\n\\}`).exec(text)?.[1] ?? "";
    return new Set([...body.matchAll(/^ {4}(?:readonly )?(\w+)\??:/gm)].map((m) => m[1]!));
  } catch {
    return undefined;
  }
}

/** The calls a Python block makes, with their keyword arguments (Python's own parser). */
function pythonCalls(code: string): { func: string; kwargs: string[] }[] {
  const script = `import ast, json, sys
def name(n):
    return name(n.value) + "." + n.attr if isinstance(n, ast.Attribute) else n.id if isinstance(n, ast.Name) else "?"
calls = [{"func": name(c.func), "kwargs": [k.arg for k in c.keywords if k.arg]}
         for c in ast.walk(ast.parse(sys.stdin.read())) if isinstance(c, ast.Call)]
print(json.dumps(calls))`;
  return JSON.parse(execFileSync("python3", ["-c", script], { input: code, encoding: "utf8" })) as { func: string; kwargs: string[] }[];
}

/** Parses a block of a language the tests cannot run without an account; the parser's complaint, or "". */
function parseError(b: DocBlock): string {
  const run = (file: string, args: string[], input: string) => {
    try {
      execFileSync(file, args, { input, stdio: ["pipe", "pipe", "pipe"], encoding: "utf8" });
      return "";
    } catch (e) {
      return String((e as { stderr?: string }).stderr || e).trim();
    }
  };
  switch (b.lang) {
    case "sh":
      return run("bash", ["-n"], b.code);
    case "yaml":
      return parseAllDocuments(b.code).flatMap((d) => ("errors" in d ? d.errors : [])).map((e) => e.message).join("; ");
    case "python":
      return run("python3", ["-c", "import ast, sys; ast.parse(sys.stdin.read())"], b.code);
    case "go":
      // A fragment of a function body, as the docs show one.
      return run("gofmt", ["-e"], b.code.startsWith("package ") ? b.code : `package p\n\nfunc f() error {\n${b.code}\nreturn nil\n}\n`);
    case "ts": {
      const options = { reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.ESNext } };
      const { diagnostics = [] } = ts.transpileModule(b.code, options);
      return diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, " ")).join("; ");
    }
    default:
      return `no parser for ${b.lang}`;
  }
}

describe("every block of the README, docs/ and the examples' READMEs", () => {
  it("is found", () => {
    assert.ok(blocks.length >= 50, `found ${blocks.length} blocks`);
  });

  it("says how it is checked: run by a test, type-checked (ts), or needing an account", () => {
    const unmarked = blocks.filter((b) => !typeChecked(b) && !runId(b) && !partOf(b) && !b.marker.startsWith("account: ") && !notRunYet(b));
    assert.deepEqual(unmarked.map((b) => `${where(b)}: a ${b.lang} block with no <!-- run: <id> -->, <!-- part of: <path> --> or <!-- account: <reason> -->`), []);
  });

  it(`blocks not run yet, listed, are at most ${NOT_RUN_YET_AT_MOST} (the count only goes down)`, (t) => {
    const debt = blocks.filter(notRunYet);
    for (const b of debt) t.diagnostic(`${where(b)} (${b.lang}) not run yet: ${b.marker.slice("not run yet: ".length)}`);
    assert.ok(debt.length <= NOT_RUN_YET_AT_MOST, debt.map(where).join(", "));
  });

  it("the README's commands in the repository are CI's: npm ci, then the test command .ci/run runs; demo is a script", () => {
    const commands = shellCommands(docBlock("README.md", "repository-commands").code);
    assert.deepEqual(commands, ["npm ci", "npm run demo", "npm test"]);
    const ci = readFileSync(join(repoRoot, ".ci/run"), "utf8");
    assert.match(ci, /timed "npm ci" npm ci /);
    assert.match(ci, /timed "npm test" npm test /);
    const { scripts } = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> };
    assert.ok(scripts.demo && scripts.test);
  });

  // Issue 35, item 6: the RDS account in YAML and Python needs an account, so it is checked offline:
  // every property a YAML resource sets, and every keyword a Python constructor takes, is one of
  // that resource's inputs (this package's schema; @pulumi/alicloud's <Resource>Args).
  it("the YAML and Python blocks set only properties their resources take (this schema; @pulumi/alicloud's types)", () => {
    const problems: string[] = [];
    const check = (b: DocBlock, type: string, names: string[]) => {
      const known = inputsOf(type);
      if (known === undefined) problems.push(`${where(b)}: ${type} is not a resource this test knows`);
      else for (const n of names.filter((n) => !known.has(n))) problems.push(`${where(b)}: ${type} has no input ${n}`);
    };
    let checked = 0;
    for (const b of blocks.filter((x) => x.lang === "yaml")) {
      type Program = { resources?: Record<string, { type?: string; properties?: object }> };
      const doc = parseAllDocuments(b.code)[0]?.toJS() as Program | undefined;
      for (const r of Object.values(doc?.resources ?? {})) {
        if (!r.type?.startsWith("alicloud")) continue;
        check(b, r.type, Object.keys(r.properties ?? {}));
        checked++;
      }
    }
    for (const b of blocks.filter((x) => x.lang === "python")) {
      for (const call of pythonCalls(b.code)) {
        // Resources are classes (capitalised): kms.decrypt(…) of a KMS client is not one.
        const [root, ...rest] = call.func.split(".");
        const isClass = /^[A-Z]/.test(rest.at(-1) ?? "");
        const type = !isClass ? undefined : root === "kms" && rest.length === 1 ? `alicloud-kms:index:${rest[0]}`
          : root === "alicloud" && rest.length === 2 ? `alicloud:${rest[0]}:${rest[1]}` : undefined;
        if (!type) continue;
        check(b, type, call.kwargs.map((k) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())));
        checked++;
      }
    }
    assert.deepEqual(problems, []);
    assert.ok(checked >= 6, `${checked} resources checked`);
  });

  it("each part of: excerpt stands, line for line, in the file it names", () => {
    const trimmed = (text: string) => text.split("\n").map((l) => l.trim()).filter(Boolean);
    const problems = blocks.filter(partOf).flatMap((b) => {
      const lines = trimmed(b.code);
      let target: string[];
      try {
        target = trimmed(readFileSync(join(repoRoot, partOf(b)!), "utf8"));
      } catch {
        return [`${where(b)}: ${partOf(b)} does not exist`];
      }
      const at = target.findIndex((_, i) => lines.every((l, j) => target[i + j] === l));
      return at < 0 ? [`${where(b)}: not a run of lines of ${partOf(b)}`] : [];
    });
    assert.deepEqual(problems, []);
  });

  it("each run: id is fetched by a test, once in all the documents", () => {
    const sources = testSources().join("\n");
    const problems: string[] = [];
    const seen = new Set<string>();
    for (const b of blocks) {
      const id = runId(b);
      if (!id) continue;
      if (seen.has(`${b.file} ${id}`)) problems.push(`${where(b)}: run: ${id} is used twice in ${b.file}`);
      seen.add(`${b.file} ${id}`);
      if (!sources.includes(`docBlock("${b.file}", "${id}")`)) problems.push(`${where(b)}: no test fetches docBlock("${b.file}", "${id}")`);
    }
    assert.deepEqual(problems, []);
  });

  it("the blocks that need an account parse, and are listed with their reasons", (t) => {
    const account = blocks.filter((b) => b.marker.startsWith("account: "));
    const failures = account.map((b) => [b, parseError(b)] as const).filter(([, error]) => error)
      .map(([b, error]) => `${where(b)}: ${error.split("\n")[0]}`);
    assert.deepEqual(failures, []);
    for (const b of account) t.diagnostic(`${where(b)} (${b.lang}) needs ${b.marker.slice("account: ".length)}`);
    const run = blocks.filter(runId).length;
    const checked = blocks.filter((b) => typeChecked(b) && !runId(b)).length;
    const parts = blocks.filter(partOf).length;
    t.diagnostic(`${blocks.length} blocks: ${run} run as written, ${parts} excerpts of files that run, ${checked} type-checked, ${account.length} parsed (need an account)`);
  });
});
