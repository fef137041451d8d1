import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { builtGoProgram } from "./go-build";

// Alibaba Cloud's official Go SDK for KMS (github.com/alibabacloud-go/kms-20160120/v3), as a small
// program (test/official-sdks/go) built once from the Go module proxy and cached by the hash of its
// sources, so a change to them builds anew.

const sources = resolve(__dirname, "../official-sdks/go");

/** The program's path, building it first if need be (about a minute on a fresh machine). */
export function officialGoSdk(): Promise<string> {
  return builtGoProgram(sources, "kms-sdk-check", "official-go-sdk");
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
      if (code !== 0) fail(new Error(`kms-sdk-check exited ${code}: ${stderr.slice(-2000)}`));
      else done(stdout.trim().split("\n").map((line) => JSON.parse(line) as SdkOperation));
    });
    child.stdin.end(JSON.stringify(request));
  });
}
