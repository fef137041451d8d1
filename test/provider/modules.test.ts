import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseKeyReference, printable } from "../../provider/kms/identifiers";
import { KmsCallError } from "../../provider/kms/kms-call-error";
import { describeKmsError, STACK_SETTING_NAMES } from "../../provider/kms/kms-error-messages";
import { digestWithSalt, isDigest, saltFor } from "../../provider/crypto/plaintext-digest";
import { PlaintextHandoff } from "../../provider/engine/plaintext-handoff";
import { redact } from "../../provider/redact";
import { withRetry } from "../../provider/kms/retry";
import { resolveSettings } from "../../provider/kms/settings";

// The provider's small modules on their own (no KMS involved).

describe("plaintext digest", () => {
  const urn = "urn:pulumi:dev::app::pulumi-nodejs:dynamic/alicloud-kms:EncryptedValue::db-password";

  it("is scrypt (2^12, 8, 1) under a salt from the stack's random salt and the value's URN: stable, unique per value", async () => {
    const digest = await digestWithSalt(Buffer.from("s3cret"), saltFor("stack-salt", urn));
    assert.match(digest, /^scrypt\$12\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    assert.ok(isDigest(digest));
    assert.equal(await digestWithSalt(Buffer.from("s3cret"), saltFor("stack-salt", urn)), digest, "the same in every run");
    assert.notEqual(await digestWithSalt(Buffer.from("s3cret!"), saltFor("stack-salt", urn)), digest);
    const { scryptSync } = await import("node:crypto");
    const salt = saltFor("stack-salt", urn);
    assert.equal(digest.split("$")[5], scryptSync(Buffer.from("s3cret"), salt, 32, { N: 4096, r: 8, p: 1 }).toString("base64url"), "plain scrypt");
  });

  it("salts differ for another stack salt, and for the same name under another parent or type", () => {
    const salts = new Set([
      saltFor("stack-salt", urn),
      saltFor("other-stack-salt", urn),
      saltFor("stack-salt", urn.replace("::pulumi-nodejs", "::my:app:Component$pulumi-nodejs")),
      saltFor("stack-salt", urn.replace("::pulumi-nodejs", "::my:app:Other$pulumi-nodejs")),
      saltFor("stack-salt", urn.replace("db-password", "api-token")),
    ].map((s) => s.toString("hex")));
    assert.equal(salts.size, 5);
  });

  it("accepts only the digests this package writes: other parameters from state or a program are refused unparsed", () => {
    for (const bad of ["scrypt$20$32$16$AAAAAAAAAAAAAAAAAAAAAA$" + "A".repeat(43), "scrypt$10$8$1$AAAAAAAAAAAAAAAAAAAAAA$" + "A".repeat(43),
      "scrypt$12$8$1$short$" + "A".repeat(43), "sha256$abc", "none$AAAAAAAAAAAAAAAAAAAAAA", 42, undefined]) {
      assert.equal(isDigest(bad), false, String(bad));
    }
  });
});

describe("plaintext hand-off", () => {
  it("keeps a copy per value URN; take() hands it over once, and the taker wipes it", () => {
    const handoff = new PlaintextHandoff();
    const source = Buffer.from("handed over");
    handoff.put("urn:a", source);
    source.fill(0);
    const taken = handoff.take("urn:a")!;
    assert.equal(taken.toString(), "handed over");
    assert.equal(handoff.take("urn:a"), undefined, "a second create finds nothing, never a wiped buffer");
    assert.equal(handoff.size, 0);
  });

  it("two values with the same plaintext (same digest, even the same name under other parents) never share bytes", () => {
    const handoff = new PlaintextHandoff();
    handoff.put("urn:pulumi:dev::app::a:b:C$pulumi-nodejs:dynamic/alicloud-kms:EncryptedValue::db", Buffer.from("same"));
    handoff.put("urn:pulumi:dev::app::a:b:D$pulumi-nodejs:dynamic/alicloud-kms:EncryptedValue::db", Buffer.from("same"));
    const first = handoff.take("urn:pulumi:dev::app::a:b:C$pulumi-nodejs:dynamic/alicloud-kms:EncryptedValue::db")!;
    first.fill(0); // the first create is done with its copy
    assert.equal(handoff.take("urn:pulumi:dev::app::a:b:D$pulumi-nodejs:dynamic/alicloud-kms:EncryptedValue::db")!.toString(), "same");
  });

  it("release wipes an entry nobody took; a new check of the same value replaces and wipes the old copy", () => {
    const handoff = new PlaintextHandoff();
    handoff.put("urn:a", Buffer.from("old"));
    handoff.put("urn:a", Buffer.from("new"));
    assert.equal(handoff.size, 1);
    handoff.release("urn:a");
    assert.equal(handoff.take("urn:a"), undefined);
  });
});

describe("redact", () => {
  const secret = "p@ss/word+?é";
  const b = Buffer.from(secret);

  it("cuts a value out as text, JSON-escaped, percent-encoded once or twice, and hex in either case", () => {
    const every = [...secret].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`).join("");
    const forms = [secret, JSON.stringify({ v: secret }), every, every.toUpperCase().replace(/\\U/g, "\\u"), encodeURIComponent(secret),
      encodeURIComponent(encodeURIComponent(secret)), b.toString("hex"), b.toString("hex").toUpperCase(),
      [...b].map((x) => `%${x.toString(16).padStart(2, "0").toUpperCase()}`).join("")];
    for (const form of forms) {
      const out = redact(`before ${form} after`, [secret]);
      assert.match(out, /\[redacted\]/, form);
      assert.equal(out.includes(secret) || out.includes(b.toString("hex")) || out.toLowerCase().includes(b.toString("hex")), false, form);
    }
  });

  it("cuts it out of base64 and base64url streams at each of the three alignments, percent-encoded or not", () => {
    for (const offset of [0, 1, 2]) {
      const stream = Buffer.concat([Buffer.from("xy".slice(0, offset)), b, Buffer.from("-tail")]);
      for (const encoded of [stream.toString("base64"), stream.toString("base64url"), encodeURIComponent(stream.toString("base64"))]) {
        const out = redact(`[${encoded}]`, [secret]);
        assert.match(out, /\[redacted\]/, `offset ${offset}: ${encoded}`);
        // All but the characters that straddle the value's edges are gone.
        assert.ok(out.length <= encoded.length + 2 - (Math.floor((8 * b.length) / 6) - 2) + "[redacted]".length, out);
      }
    }
  });

  it("a value under 4 bytes is cut out where it stands alone, not inside other words", () => {
    assert.equal(redact("pin 123 refused; 1234 and x123y stay", ["123"]), "pin [redacted] refused; 1234 and x123y stay");
    assert.equal(redact("code 7", [Buffer.from("7")]), "code [redacted]");
  });
});

describe("KMS messages shown to users", () => {
  const context = { property: "keyId", value: "key-a", region: "cn-hangzhou", credentialsFrom: "env", endpoint: "https://kms", names: STACK_SETTING_NAMES };

  it("a documented message is shown; anything else from the service is not, its code and RequestId are", () => {
    const known = new KmsCallError("AsymmetricEncrypt", "InvalidParameter", "The specified parameter \"Plaintext\" is not valid. It is 191 bytes; the limit for this key and algorithm is 190.", 400, "REQ-1");
    assert.match(describeKmsError(known, context), /\(The specified parameter "Plaintext" is not valid\. It is 191 bytes/);
    const echoing = new KmsCallError("AsymmetricEncrypt", "InvalidParameter", "Plaintext aHVudGVyMg== (hunter2) is not valid", 400, "REQ-2");
    assert.doesNotMatch(describeKmsError(echoing, context), /hunter2|aHVudGVyMg/);
    const unknown = new KmsCallError("AsymmetricEncrypt", "Some.NewCode", "The value hunter2 was rejected", 400, "REQ-3");
    assert.equal(describeKmsError(unknown, context), "keyId 'key-a': Some.NewCode — KMS refused the request (RequestId REQ-3)");
    assert.doesNotMatch(unknown.message, /hunter2/, "the error's own message carries no KMS text either");
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
    // Delays of 50 ms in a budget of 120: 3 attempts on time, 2 when a loaded machine's timers run
    // late (seen in CI); without the budget it would try all 10 throttles and succeed at the 11th.
    assert.ok(f.calls() >= 2 && f.calls() <= 3, `${f.calls()} attempts`);
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
    assert.deepEqual(parseKeyReference("acs:kms:cn-shanghai:123:alias/team:app"), { kind: "arn", region: "cn-shanghai", accountId: "123", alias: "alias/team:app" });
    assert.deepEqual(parseKeyReference("key-abc"), { kind: "id", keyId: "key-abc" });
    for (const malformed of ["acs:kms:cn-shanghai:123:key/", "acs:kms:evil.example:443/:123:key/k", "acs:ram::123:role/x", "acs:kms:cn-shanghai:12a:key/k",
      "acs:kms:cn-shanghai:123:key/k:extra", "acs:kms:cn-shanghai:123", "alias/", "alias/a b", "key abc", "key-\u001b[2J", "../key", "key@evil", ""]) {
      assert.equal(typeof parseKeyReference(malformed), "string", malformed);
    }
  });

  it("quote a refused value with control characters escaped and a bounded length", () => {
    assert.equal(printable("key-\u001b[2Jx"), "'key-\\u{1b}[2Jx'");
    assert.equal(printable("a\nb\u202ec'"), "'a\\u{a}b\\u{202e}c\\u{27}'");
    assert.equal(printable("k".repeat(100)), `'${"k".repeat(64)}'…`);
  });
});
