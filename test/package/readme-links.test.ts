import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, posix, resolve } from "node:path";
import { describe, it } from "node:test";

// The README ships in the tarball and is what npm's and GitHub's pages show: a relative link works
// on neither npm nor an installed copy, so every link to this repository is absolute, names a
// file or folder the tree has, and every in-page anchor names a heading.

const repoRoot = resolve(__dirname, "../..");
const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { homepage: string; repository: { url: string } };
const repositoryUrl = manifest.repository.url.replace(/^git\+/, "").replace(/\.git$/, "");
const tracked = new Set(execFileSync("git", ["ls-files"], { cwd: repoRoot, encoding: "utf8" }).split("\n").filter(Boolean));
const trackedDirs = new Set([...tracked].flatMap((f) => f.split("/").slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join("/"))));

/** Link targets outside fenced code blocks and inline code. */
function linksOf(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const [, heading] of markdown.replace(/^```[\s\S]*?^```/gm, "").matchAll(/^#{1,6} (.+)$/gm)) {
    const slug = heading!.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-");
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
}

describe("README links", () => {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const links = linksOf(readme);

  it("the repository URL in package.json is where homepage and the links point", () => {
    assert.match(repositoryUrl, /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
    assert.equal(manifest.homepage, `${repositoryUrl}#readme`);
    assert.ok(links.some((l) => l.startsWith(`${repositoryUrl}/`)), "the README links into the repository");
  });

  it("no relative link: each is an anchor of this page or an absolute URL", () => {
    const relative = links.filter((l) => !l.startsWith("#") && !/^https:\/\//.test(l));
    assert.deepEqual(relative, []);
  });

  it("every anchor names a heading of the README", () => {
    const anchors = anchorsOf(readme);
    const missing = links.filter((l) => l.startsWith("#") && !anchors.has(l.slice(1)));
    assert.deepEqual(missing, []);
  });

  it("a link into another file's heading names a heading that file has", () => {
    const wrong = links.filter((l) => l.startsWith(`${repositoryUrl}/blob/main/`) && l.includes("#")).filter((l) => {
      const [path, anchor] = l.slice(`${repositoryUrl}/blob/main/`.length).split("#") as [string, string];
      return !tracked.has(path) || !anchorsOf(readFileSync(join(repoRoot, path), "utf8")).has(anchor);
    });
    assert.deepEqual(wrong, []);
  });

  it("every link into the repository names a tracked file (blob) or folder (tree) on main", () => {
    const wrong = links.filter((l) => l.startsWith(`${repositoryUrl}/`)).filter((l) => {
      const m = /^\/(blob|tree)\/main\/([^#?]+)/.exec(l.slice(repositoryUrl.length));
      if (!m) return !/^\/(issues|pulls)(\/\d+)?$/.test(l.slice(repositoryUrl.length));
      return m[1] === "blob" ? !tracked.has(m[2]!) : !trackedDirs.has(m[2]!.replace(/\/$/, ""));
    });
    assert.deepEqual(wrong, []);
  });
});

// The documents behind the README (docs/, generated API reference included, and CONTRIBUTING.md)
// live in the repository only: their relative links name tracked files, and every anchor a heading.
// The examples' READMEs too: a heading renamed in docs/ once left one pointing nowhere.
const documents = [...tracked].filter((f) => (f.startsWith("docs/") && f.endsWith(".md")) || f === "CONTRIBUTING.md"
  || /^examples\/[^/]+\/README\.md$/.test(f));

describe("links in docs/, CONTRIBUTING.md and the examples' READMEs", () => {
  it("there are documents", () => {
    for (const f of ["docs/programs.md", "docs/readers.md", "docs/security.md", "docs/performance.md", "docs/api/README.md", "CONTRIBUTING.md",
      "examples/plugin-python/README.md"]) {
      assert.ok(documents.includes(f), f);
    }
  });

  it("every relative link names a tracked file or folder, and every anchor a heading there", () => {
    const wrong: string[] = [];
    for (const file of documents) {
      const text = readFileSync(join(repoRoot, file), "utf8");
      for (const link of linksOf(text)) {
        if (/^[a-z]+:/.test(link)) continue;
        const [path, anchor] = link.split("#") as [string, string | undefined];
        const target = path === "" ? file : posix.normalize(posix.join(posix.dirname(file), path)).replace(/\/$/, "");
        const exists = tracked.has(target) || trackedDirs.has(target);
        const anchored = anchor === undefined || (tracked.has(target) && target.endsWith(".md")
          && anchorsOf(readFileSync(join(repoRoot, target), "utf8")).has(anchor));
        if (!exists || !anchored) wrong.push(`${file}: ${link}`);
      }
    }
    assert.deepEqual(wrong, []);
  });
});
