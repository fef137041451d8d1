import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { accessSync, constants, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildInto, cacheRoot, goAvailable, runGo } from "./go-build";

// Alibaba Cloud's official Go SDK for KMS (github.com/alibabacloud-go/kms-20160120/v3), as a small
// program (test/official-sdks/go) built once from the Go module proxy and cached by the hash of its
// sources, so a change to them builds anew.

const sources = resolve(__dirname, "../official-sdks/go");
const BINARY = "kms-sdk-check";

function cachedDir(): string {
  const hash = createHash("sha256");
  for (const file of ["go.mod", "go.sum", "main.go"]) hash.update(readFileSync(join(sources, file)));
  return join(cacheRoot(), `official-go-sdk-${hash.digest("hex").slice(0, 16)}`);
}

function built(dir: string): boolean {
  try {
    accessSync(join(dir, BINARY), constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The program's path, building it first if need be (about a minute on a fresh machine). */
export async function officialGoSdk(): Promise<string> {
  const dir = cachedDir();
  if (!built(dir)) {
    if (!goAvailable()) throw new Error("the official Go SDK check needs Go (1.25 or later) to build from the module proxy");
    const log = (line: string) => process.stderr.write(`[official-go-sdk] ${line}\n`);
    log("building the official KMS Go SDK check from the Go module proxy");
    await buildInto(dir, built, (staging) => runGo(["build", "-trimpath", "-o", join(staging, BINARY), "."], sources, log));
  }
  return join(dir, BINARY);
}

export interface SdkOperation {
  op: string;
  fields?: Record<string, string>;
  /** The SDK's error code and HTTP status when the call failed. */
  code?: string;
  status?: number;
  /** A failure that was not KMS's answer (parsing, transport). */
  error?: string;
}

/** Runs the program once; it must not block the event loop, since the emulator may live in this process. */
export function runOfficialGoSdk(binary: string, request: Record<string, string>): Promise<SdkOperation[]> {
  return new Promise((done, fail) => {
    const child = spawn(binary, [], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", fail);
    child.on("close", (code) => {
      if (code !== 0) fail(new Error(`${BINARY} exited ${code}: ${stderr.slice(-2000)}`));
      else done(stdout.trim().split("\n").map((line) => JSON.parse(line) as SdkOperation));
    });
    child.stdin.end(JSON.stringify(request));
  });
}
