import { resolve } from "node:path";
import { builtGoProgram, runJsonLines } from "./go-build";

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

/** Runs the program once with one request. */
export function runOfficialGoSdk(binary: string, request: Record<string, string>): Promise<SdkOperation[]> {
  return runJsonLines<SdkOperation>(binary, JSON.stringify(request));
}
