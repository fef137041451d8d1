import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { after, describe, it } from "node:test";
import { filesUnder } from "../e2e/offline-pulumi";

// docs/api is the API reference in Markdown, generated from the TSDoc comments (npm run docs:api)
// and committed, so it can be read where the code is. Generated again here, it must be what the
// repository holds: a changed comment or export without `npm run docs:api` fails.

const repoRoot = resolve(__dirname, "../..");

describe("docs/api, the generated API reference", () => {
  const out = mkdtempSync(join(tmpdir(), "api-reference-"));
  after(() => rmSync(out, { recursive: true, force: true }));

  it("is what npm run docs:api generates from the code as it is", () => {
    execFileSync(process.execPath, [join(repoRoot, "node_modules/typedoc/bin/typedoc"), "--options", "typedoc.markdown.json", "--out", out],
      { cwd: repoRoot, stdio: "pipe" });
    const read = (dir: string) => new Map(filesUnder(dir).map((f) => [relative(dir, f), readFileSync(f, "utf8")]));
    const generated = read(out);
    const committed = read(join(repoRoot, "docs/api"));
    assert.deepEqual([...committed.keys()].sort(), [...generated.keys()].sort(), "the same pages; run npm run docs:api");
    const stale = [...generated].filter(([f, text]) => committed.get(f) !== text).map(([f]) => f);
    assert.deepEqual(stale, [], "pages that differ; run npm run docs:api");
  });
});
