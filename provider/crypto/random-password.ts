import { randomInt } from "node:crypto";

// A password drawn with the operating system's CSPRNG, uniformly over what the policy allows: each
// class's minimum drawn from that class, the rest from every allowed character, then the whole
// shuffled (Fisher–Yates). crypto.randomInt rejects out-of-range draws, so no character is more
// likely than another (no modulo bias). The password is bytes (ASCII), for the caller to zero.

export const LOWER = "abcdefghijklmnopqrstuvwxyz";
export const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
export const NUMERIC = "0123456789";
/** random.RandomPassword's default special characters. */
export const SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

/** One class of characters and how many the password must hold at least. */
export interface CharacterClass {
  characters: string;
  minimum: number;
}

/** Draws `length` characters: every class's minimum from it, the rest from all classes' characters together. */
export function drawPassword(length: number, classes: readonly CharacterClass[]): Buffer {
  const all = [...new Set(classes.flatMap((c) => [...c.characters]))].join("");
  const required = classes.reduce((n, c) => n + c.minimum, 0);
  if (!Number.isSafeInteger(length) || length < 1 || all.length === 0 || required > length) {
    throw new RangeError("the password policy cannot be met");
  }
  const password = Buffer.alloc(length);
  let at = 0;
  for (const c of classes) {
    for (let i = 0; i < c.minimum; i++) password[at++] = c.characters.charCodeAt(randomInt(c.characters.length));
  }
  while (at < length) password[at++] = all.charCodeAt(randomInt(all.length));
  for (let i = length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    const swap = password[i]!;
    password[i] = password[j]!;
    password[j] = swap;
  }
  return password;
}
