import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type CharacterClass, drawPassword, LOWER, NUMERIC, SPECIAL, UPPER } from "../../provider/crypto/random-password";
import { characterClasses, parsePolicy, type PasswordPolicy } from "../../provider/engine/password-policy";

// The password EncryptedRandomPassword draws: every character uniform over its class (no modulo
// bias), every minimum met, and the minimums' characters spread over every position by the shuffle.
// Pearson's chi-square against the uniform distribution, over at least 100,000 draws per class,
// must stay below the critical value for p = 0.001 (Wilson–Hilferty's approximation), which a
// biased draw (one character half again as likely, or positions left unshuffled) exceeds.

/** The chi-square value a uniform sample exceeds with probability 0.001, for `df` degrees of freedom. */
function critical(df: number): number {
  const z = 3.090232;
  const h = 2 / (9 * df);
  return df * (1 - h + z * Math.sqrt(h)) ** 3;
}

/** Pearson's statistic of `counts` against the uniform distribution over them. */
function chiSquare(counts: readonly number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  return counts.reduce((sum, n) => sum + (n - expected) ** 2 / expected, 0);
}

/**
 * Uniform at p > 0.001 over a sample `draw` makes. An unbiased draw still exceeds the critical value
 * once in a thousand samples, and a run makes ten such checks: a sample that exceeds it is followed
 * by a fresh one, which must not. A real bias fails both (the last test shows how far a small one
 * lands past the value); chance fails both once in a million.
 */
function assertUniform(draw: () => readonly number[], what: string): void {
  const counts = draw();
  const first = chiSquare(counts);
  const limit = critical(counts.length - 1);
  if (first < limit) return;
  const second = chiSquare(draw());
  assert.ok(second < limit, `${what}: chi-square ${first.toFixed(1)}, then ${second.toFixed(1)}, ≥ ${limit.toFixed(1)} (p < 0.001) twice`);
}

/** How often each character of `set` appears in `passwords`. */
function frequencies(passwords: readonly Buffer[], set: string): number[] {
  const counts = new Map([...set].map((c) => [c.charCodeAt(0), 0]));
  for (const p of passwords) for (const b of p) if (counts.has(b)) counts.set(b, counts.get(b)! + 1);
  return [...counts.values()];
}

describe("the passwords EncryptedRandomPassword draws", () => {
  for (const [name, set] of [["lower", LOWER], ["upper", UPPER], ["numeric", NUMERIC], ["special", SPECIAL], ["overrideSpecial", "!#%"]] as const) {
    it(`one class (${name}): 100,000 characters, each as likely as any other`, () => {
      const classes: CharacterClass[] = [{ characters: set, minimum: 0 }];
      const sample = () => Array.from({ length: 2_000 }, () => drawPassword(50, classes));
      assert.ok(sample().every((p) => [...p.toString("latin1")].every((c) => set.includes(c))), "only the class's characters");
      assertUniform(() => frequencies(sample(), set), name);
    });
  }

  it("every class with minimums: each minimum met, each class uniform over ≥ 100,000 draws, positions shuffled", () => {
    const policy = parsePolicy({ length: 32, minLower: 2, minUpper: 2, minNumeric: 2, minSpecial: 2 }).policy as PasswordPolicy;
    const sample = () => Array.from({ length: 25_000 }, () => drawPassword(policy.length, characterClasses(policy)));
    const passwords = sample();
    // Each check's first sample is this one; a fresh one only if it exceeds the critical value.
    const first = (draw: (s: Buffer[]) => number[]) => {
      let fresh = false;
      return () => draw(fresh ? sample() : ((fresh = true), passwords));
    };
    for (const set of [LOWER, UPPER, NUMERIC, SPECIAL]) {
      assert.ok(frequencies(passwords, set).reduce((a, b) => a + b, 0) >= 100_000, "at least 100,000 draws of the class");
      assertUniform(first((s) => frequencies(s, set)), set);
      assert.ok(passwords.every((p) => [...p.toString("latin1")].filter((c) => set.includes(c)).length >= 2), "the minimum, in every password");
    }
    // The minimums are drawn first; unshuffled, the specials would crowd the first positions.
    const special = (p: Buffer, i: number) => SPECIAL.includes(String.fromCharCode(p[i]!));
    assertUniform(first((s) => Array.from({ length: policy.length }, (_, i) => s.filter((p) => special(p, i)).length)),
      "the positions of special characters");
  });

  it("the test can fail: one character half again as likely, or the minimums left unshuffled, is caught", () => {
    const counts = frequencies(Array.from({ length: 2_000 }, () => drawPassword(50, [{ characters: LOWER, minimum: 0 }])), LOWER);
    const biased = counts.map((n, i) => (i === 0 ? Math.round(n * 1.5) : n));
    assert.ok(chiSquare(biased) >= critical(biased.length - 1), "a 50% likelier character is caught at this size");
    assert.throws(() => assertUniform(() => biased, "biased"), /biased: chi-square .* twice/, "and on the fresh sample too");
    const unshuffled = Array.from({ length: 32 }, (_, i) => (i < 2 ? 25_000 : 1_000));
    assert.ok(chiSquare(unshuffled) >= critical(31));
  });
});
