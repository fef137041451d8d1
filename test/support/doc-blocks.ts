import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

// The fenced blocks of the documents a user reads (README.md, docs/*.md, examples/*/README.md), each
// with the line its code starts on and the HTML comment right above it, which says how the tests
// check it:
//
// - `<!-- run: <id> -->`: a test runs it as written; that test fetches it with docBlock(file, id),
//   and test/package/doc-blocks.test.ts fails when no test file does.
// - `<!-- part of: <path> -->`: an excerpt of a file a test runs (an example's program); its lines,
//   trimmed, must stand in that file in a row, so the excerpt cannot drift from what runs.
// - `<!-- account: <reason> -->`: it needs an Alibaba Cloud account (or something else the tests
//   cannot have, which the reason names); it is parsed (shell, YAML, Python, Go) instead.
// - `<!-- ts-context: … -->`, or none, on a ```ts block: type-checked against the package by
//   test/package/readme-snippets.test.ts.
//
// Every other block fails the collector, naming file:line.

export const repoRoot = resolve(__dirname, "../..");

export interface DocBlock {
  /** Relative to the repository's root. */
  file: string;
  /** The block's first line of code, 1-based. */
  line: number;
  lang: string;
  /** The HTML comment right above the fence, without `<!--` and `-->`; "" when there is none. */
  marker: string;
  code: string;
}

/** The documents a user reads, in a stable order. */
export function userDocuments(): string[] {
  const docs = readdirSync(join(repoRoot, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`);
  const examples = readdirSync(join(repoRoot, "examples"), { withFileTypes: true }).filter((d) => d.isDirectory())
    .map((d) => `examples/${d.name}/README.md`).filter((f) => existsSync(join(repoRoot, f))).sort();
  return ["README.md", ...docs, ...examples];
}

export function docBlocks(file: string): DocBlock[] {
  const lines = readFileSync(join(repoRoot, file), "utf8").split("\n");
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```([A-Za-z0-9]+)\s*$/.exec(lines[i]!);
    if (!fence) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`${file}:${i + 1}: a fence that is never closed`);
    const above = /^<!-- ([\s\S]*?) -->$/.exec(lines[i - 1] ?? "");
    blocks.push({ file, line: i + 2, lang: fence[1]!, marker: above?.[1] ?? "", code: lines.slice(i + 1, end).join("\n") + "\n" });
    i = end;
  }
  return blocks;
}

/** The id of a `run:` marker, or undefined. */
export const runId = (b: DocBlock) => /^run: (\S+)$/.exec(b.marker)?.[1];

/** The block of `file` marked `<!-- run: <id> -->`: exactly one, or this throws. */
export function docBlock(file: string, id: string): DocBlock {
  const found = docBlocks(file).filter((b) => runId(b) === id);
  if (found.length !== 1) throw new Error(`${file} has ${found.length} blocks marked <!-- run: ${id} -->, not one`);
  return found[0]!;
}

/**
 * A shell block's commands as a user's shell reads them: continuation lines joined, comments and
 * blank lines dropped.
 */
export function shellCommands(code: string): string[] {
  return code.replace(/\\\n\s*/g, "").split("\n").map((l) => (l.startsWith("#") ? "" : l.replace(/\s+#\s.*$/, "")).trim())
    .filter(Boolean);
}
