import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseKeyReference, printable } from "../../provider/kms/identifiers";
import { KmsCallError } from "../../provider/kms/kms-call-error";
import { digestPlaintext, digestWithSalt, parseDigest, saltFor } from "../../provider/crypto/plaintext-digest";
import { PlaintextHandoff, randomHandle } from "../../provider/engine/plaintext-handoff";
import { redact } from "../../provider/redact";
import { withRetry } from "../../provider/kms/retry";
import { resolveSettings } from "../../provider/kms/settings";

// The provider's small modules on their own (no KMS involved).

describe("plaintext digest", () => {
  it("is salted scrypt with its parameters, and stays the same for the same plaintext", async () => {
    const first = await digestPlaintext(Buffer.from("s3cret"));
    assert.match(first, /^scrypt\$12\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    assert.equal(await digestPlaintext(Buffer.from("s3cret"), first), first, "unchanged plaintext → unchanged digest");
    const other = await digestPlaintext(Buffer.from("s3cret"));
    assert.notEqual(other, first, "a fresh salt every time there is no previous digest");
    const changed = await digestPlaintext(Buffer.from("s3cret!"), first);
    assert.notEqual(changed, first);
    assert.notEqual(parseDigest(changed)!.salt.toString("hex"), parseDigest(first)!.salt.toString("hex"), "a changed plaintext gets a new salt");
  });

  it("refuses malformed or too-costly parameters from state and starts over", async () => {
    for (const bad of ["scrypt$30$8$1$AAAAAAAAAAAAAAAAAAAAAA$" + "A".repeat(43), "sha256$abc", "scrypt$12$8$1$short$" + "A".repeat(43), 42]) {
      assert.equal(parseDigest(bad), undefined, String(bad));
      assert.match(await digestPlaintext(Buffer.from("x"), bad), /^scrypt\$12\$/);
    }
  });

  it("keeps a previous digest's own (older) parameters when the plaintext matches", async () => {
    const { scryptSync, randomBytes } = await import("node:crypto");
    const salt = randomBytes(16);
    const hash = scryptSync(Buffer.from("legacy"), salt, 32, { N: 2 ** 10, r: 8, p: 1 });
    const old = `scrypt$10$8$1$${salt.toString("base64url")}$${hash.toString("base64url")}`;
    assert.equal(await digestPlaintext(Buffer.from("legacy"), old), old);
  });

  const identity = { organization: "org", project: "app", stack: "prod", name: "db-password" };

  it("salts the SDK's digest with the value's identity: stable across runs, different for any other value", async () => {
    assert.deepEqual(saltFor(identity), saltFor({ ...identity }));
    const salts = new Set([identity, { ...identity, name: "api-token" }, { ...identity, stack: "dev" }, { ...identity, project: "other" },
      { ...identity, organization: "other" }].map((id) => saltFor(id).toString("hex")));
    assert.equal(salts.size, 5);
    const digest = await digestWithSalt(Buffer.from("s3cret"), saltFor(identity));
    assert.equal(await digestWithSalt(Buffer.from("s3cret"), saltFor(identity)), digest);
    assert.deepEqual(parseDigest(digest)!.salt, saltFor(identity));
    assert.notEqual(await digestWithSalt(Buffer.from("s3cret!"), saltFor(identity)), digest);
  });

  it("compares an offered digest with a previous one of the same salt as strings, without deriving again", async () => {
    const previous = await digestWithSalt(Buffer.from("s3cret"), saltFor(identity));
    assert.equal(await digestPlaintext(Buffer.from("s3cret"), previous, previous), previous);
    const changed = await digestWithSalt(Buffer.from("changed"), saltFor(identity));
    assert.equal(await digestPlaintext(Buffer.from("changed"), previous, changed), changed);
    // The offered digest is the program's own word: check does not re-derive it (that is the point).
    const offeredForOtherBytes = await digestWithSalt(Buffer.from("other bytes"), saltFor(identity));
    assert.equal(await digestPlaintext(Buffer.from("s3cret"), previous, offeredForOtherBytes), offeredForOtherBytes);
  });

  it("keeps a previous digest with another salt while it matches (older state, a renamed value), else takes the offered one", async () => {
    const legacy = await digestPlaintext(Buffer.from("s3cret"));
    const offered = await digestWithSalt(Buffer.from("s3cret"), saltFor(identity));
    assert.equal(await digestPlaintext(Buffer.from("s3cret"), legacy, offered), legacy, "unchanged: no re-encryption");
    const offeredChanged = await digestWithSalt(Buffer.from("changed"), saltFor(identity));
    assert.equal(await digestPlaintext(Buffer.from("changed"), legacy, offeredChanged), offeredChanged);
    assert.equal(await digestPlaintext(Buffer.from("s3cret"), undefined, offered), offered, "no previous digest");
  });
});

describe("plaintext hand-off", () => {
  it("holds a copy until released, then wipes it", () => {
    const handoff = new PlaintextHandoff();
    const source = Buffer.from("handed over");
    handoff.put("h", source);
    source.fill(0);
    const held = handoff.peek("h")!;
    assert.equal(held.toString(), "handed over");
    handoff.release("h");
    assert.equal(handoff.peek("h"), undefined);
    assert.ok(held.every((b) => b === 0), "the released bytes are zeroed");
    assert.equal(handoff.size, 0);
  });

  it("random handles say nothing about the plaintext and are kept across deployments", () => {
    const h = randomHandle();
    assert.match(h, /^none\$[\w-]{22}$/);
    assert.equal(randomHandle(h), h);
    assert.notEqual(randomHandle("scrypt$12$8$1$x$y"), "scrypt$12$8$1$x$y");
  });
});

describe("redact", () => {
  it("cuts a value out in UTF-8, base64 (padded or not), base64url and hex", () => {
    const secret = "p@ss/word+?";
    const b = Buffer.from(secret);
    const text = `a ${secret} b ${b.toString("base64")} c ${b.toString("base64url")} d ${b.toString("hex")} e ${b.toString("base64").replace(/=+$/, "")}X`;
    const out = redact(text, [secret]);
    for (const form of [secret, b.toString("base64url"), b.toString("hex")]) assert.equal(out.includes(form), false, form);
    assert.equal((out.match(/\[redacted\]/g) ?? []).length, 5);
  });
});

describe("retries", () => {
  const failing = (codes: string[]) => {
    let n = 0;
    return {
      calls: () => n,
      attempt: async () => {
        const code = codes[n++];
        if (code) throw new KmsCallError("DescribeKey", code, "", code === "InternalFailure" ? 500 : 400);
        return "ok";
      },
    };
  };
  const classify = (e: unknown) => (e instanceof KmsCallError && e.retryable ? (e.throttled ? "throttled" : "failed") : "final");
  const policy = { maxAttempts: 3, maxThrottledAttempts: 5, baseDelayMs: 1, maxDelayMs: 2, budgetMs: 5_000 };

  it("retries throttling and 5xx, never a client error", async () => {
    const t = failing(["Throttling", "InternalFailure", "Throttling.User"]);
    assert.equal(await withRetry(t.attempt, classify, policy), "ok");
    assert.equal(t.calls(), 4);
    const c = failing(["Forbidden.KeyNotFound"]);
    await assert.rejects(withRetry(c.attempt, classify, policy), /Forbidden.KeyNotFound/);
    assert.equal(c.calls(), 1);
  });

  it("stops after maxAttempts failures, or maxThrottledAttempts throttles", async () => {
    const f = failing(Array(10).fill("InternalFailure"));
    await assert.rejects(withRetry(f.attempt, classify, policy), /InternalFailure/);
    assert.equal(f.calls(), 3);
    const t = failing(Array(10).fill("Throttling"));
    await assert.rejects(withRetry(t.attempt, classify, policy), /Throttling/);
    assert.equal(t.calls(), 5);
  });

  it("stops when the time budget is spent", async () => {
    const f = failing(Array(10).fill("Throttling"));
    const started = Date.now();
    const patient = { ...policy, maxThrottledAttempts: 100, baseDelayMs: 50, maxDelayMs: 50, budgetMs: 120 };
    await assert.rejects(withRetry(f.attempt, classify, patient, () => 1));
    assert.ok(Date.now() - started < 200);
    assert.equal(f.calls(), 3);
  });
});

describe("settings and ARNs", () => {
  it("take the first source in order: alicloud-kms:*, alicloud:*, ALIBABA_CLOUD_*, ALICLOUD_*", () => {
    const config = (values: Record<string, string>) => (key: string) => values[key];
    assert.equal(resolveSettings(config({ "alicloud-kms:region": "cn-a", "alicloud:region": "cn-b" }), { ALICLOUD_REGION: "cn-c" }).region, "cn-a");
    assert.equal(resolveSettings(config({ "alicloud:region": "cn-b" }), { ALIBABA_CLOUD_REGION_ID: "cn-c" }).region, "cn-b");
    assert.equal(resolveSettings(config({}), { ALIBABA_CLOUD_REGION_ID: "cn-c", ALICLOUD_REGION: "cn-d" }).region, "cn-c");
    const s = resolveSettings(config({ "alicloud-kms:endpoint": "127.0.0.1:18080", "alicloud-kms:protocol": "http" }), {});
    assert.deepEqual(s.endpoint, { host: "127.0.0.1:18080", protocol: "http", from: "alicloud-kms:endpoint" });
    assert.equal(resolveSettings(config({}), {}).endpoint, undefined, "default: kms.<region>.aliyuncs.com over HTTPS");
    assert.deepEqual(resolveSettings(config({}), { ALICLOUD_PROFILE: "p" }).credentials, { kind: "profile", profile: "p", from: "ALICLOUD_PROFILE" });
    assert.equal(resolveSettings(config({}), {}).credentials.kind, "default-chain");
  });

  it("parse key references: an ID, an alias, or a key or alias ARN with its region; anything else says what is wrong", () => {
    assert.deepEqual(parseKeyReference("acs:kms:cn-shanghai:123:key/key-abc"), { kind: "arn", region: "cn-shanghai", accountId: "123", keyId: "key-abc" });
    assert.deepEqual(parseKeyReference("acs:kms:cn-shanghai:123:alias/app"), { kind: "arn", region: "cn-shanghai", accountId: "123", alias: "alias/app" });
    assert.deepEqual(parseKeyReference("alias/app/db"), { kind: "alias", alias: "alias/app/db" });
    assert.deepEqual(parseKeyReference("key-abc"), { kind: "id", keyId: "key-abc" });
    for (const malformed of ["acs:kms:cn-shanghai:123:key/", "acs:kms:evil.example:443/:123:key/k", "acs:ram::123:role/x", "acs:kms:cn-shanghai:12a:key/k",
      "acs:kms:cn-shanghai:123:key/k:extra", "alias/", "alias/a b", "key abc", "key-\u001b[2J", "../key", "key@evil", ""]) {
      assert.equal(typeof parseKeyReference(malformed), "string", malformed);
    }
  });

  it("quote a refused value with control characters escaped and a bounded length", () => {
    assert.equal(printable("key-\u001b[2Jx"), "'key-\\u{1b}[2Jx'");
    assert.equal(printable("a\nb\u202ec'"), "'a\\u{a}b\\u{202e}c\\u{27}'");
    assert.equal(printable("k".repeat(100)), `'${"k".repeat(64)}'…`);
  });
});
