import { randomBytes } from "node:crypto";
import { closeSync, constants, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { printable } from "../../provider/toolkit";
import { CliError } from "./cli-error";

// --in / --out: a file path, or "-" (the default) for stdin / stdout. Bytes, never text.
//
// --out may receive a plaintext, so it is only ever a new file of its owner's (0600), opened
// without following a symbolic link: an existing file or link is refused unless --force, and
// --force writes a new 0600 file beside it and renames it over the path, which replaces a link
// itself rather than writing through it and never keeps an old file's permissions.

function fileProblem(flag: string, path: string, e: unknown): CliError {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === "ENOENT" ? "no such file or directory"
    : code === "EACCES" ? "permission denied"
      : code === "EISDIR" ? "is a directory"
        : code === "EEXIST" || code === "ELOOP" ? "already exists; choose a new path, or add --force to replace it"
          : code === "ENOTDIR" ? "a part of the path is not a directory"
            : "cannot be written";
  return new CliError(`${flag} ${printable(path, 200)}: ${why}`, 1);
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

/** Creates `path` (which must not exist) as a 0600 file holding `data`, following no link. */
function createExclusively(path: string, data: Buffer): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, data);
  } finally {
    closeSync(fd);
  }
}

export async function writeOutput(path: string | undefined, data: Buffer, force = false): Promise<void> {
  if (path === undefined || path === "-") {
    await new Promise<void>((resolve, reject) => process.stdout.write(data, (e) => (e ? reject(e) : resolve())));
    return;
  }
  if (!force) {
    try {
      createExclusively(path, data);
    } catch (e) {
      throw fileProblem("--out", path, e);
    }
    return;
  }
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    createExclusively(temporary, data);
    renameSync(temporary, path);
  } catch (e) {
    rmSync(temporary, { force: true });
    throw fileProblem("--out", path, e);
  }
}
