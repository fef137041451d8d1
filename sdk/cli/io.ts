import { readFileSync, writeFileSync } from "node:fs";
import { CliError } from "./cli-error";

// --in / --out: a file path, or "-" (the default) for stdin / stdout. Bytes, never text.

function fileProblem(flag: string, path: string, e: unknown): CliError {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === "ENOENT" ? "no such file or directory" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "is a directory" : code ?? "cannot be used";
  return new CliError(`${flag} '${path}': ${why}`, 1);
}

export async function readInput(path: string | undefined): Promise<Buffer> {
  if (path !== undefined && path !== "-") {
    try {
      return readFileSync(path);
    } catch (e) {
      throw fileProblem("--in", path, e);
    }
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function writeOutput(path: string | undefined, data: Buffer): Promise<void> {
  if (path !== undefined && path !== "-") {
    try {
      // 0600: a decrypted plaintext is for its owner only.
      writeFileSync(path, data, { mode: 0o600 });
    } catch (e) {
      throw fileProblem("--out", path, e);
    }
    return;
  }
  await new Promise<void>((resolve, reject) => process.stdout.write(data, (e) => (e ? reject(e) : resolve())));
}
