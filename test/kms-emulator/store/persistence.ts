import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { KeyStore, StoreObserver } from "./key-store";
import type { StoreState } from "./records";

// --data-dir: the whole store as one JSON file, rewritten atomically after every change
// (changes are rare control-plane calls; encrypt/decrypt never write).

const STATE_FILE = "kms-state.json";

export function loadState(dataDir: string): StoreState | undefined {
  try {
    return JSON.parse(readFileSync(join(dataDir, STATE_FILE), "utf8")) as StoreState;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new Error(`cannot read ${join(dataDir, STATE_FILE)}: ${(e as Error).message}`);
  }
}

export function persistTo(dataDir: string, store: KeyStore): StoreObserver {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, STATE_FILE);
  const save = () => {
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(store.snapshot()), { mode: 0o600 });
    renameSync(temporary, file);
  };
  return { changed: save };
}
