import assert from "node:assert/strict";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { ACCESS_KEY, seed } from "../provider/fixtures";
import { cli, cliIntoClosedPipe } from "../support/cli-process";
import { call, officialClient } from "../support/kms-client";
import { encryptCommand } from "../../sdk/cli/encrypt-command";
import { inFlags } from "../../sdk/cli/cli-words";

// The operators' CLI as a process: stdin/stdout and files, exit codes 0/1/2, and messages that
// name the problem in flags and never echo the plaintext or the credentials.

describe("the pulumi-alicloud-kms-encrypted CLI", () => {
  let emulator: KmsEmulator;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  const secret = Buffer.from("-----BEGIN CERTIFICATE-----\n" + "operator secret line\n".repeat(200) + "-----END CERTIFICATE-----\n");

  before(async () => {
    emulator = await startKmsEmulator({ seed });
    dir = mkdtempSync(join(tmpdir(), "kms-cli-"));
    env = {
      ALIBABA_CLOUD_KMS_ENDPOINT: emulator.endpoint,
      ALIBABA_CLOUD_REGION_ID: emulator.region,
      ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY.accessKeySecret,
    };
  });
  after(async () => {
    await emulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("--help prints the usage and exits 0", async () => {
    const r = await cli(["--help"], {});
    assert.equal(r.code, 0);
    assert.match(r.stdout.toString(), /^Usage: pulumi-alicloud-kms-encrypted <command>/);
    assert.match(r.stdout.toString(), /--key-version-id/);
  });

  it("--version prints the package's version and exits 0", async () => {
    const r = await cli(["--version"], {});
    assert.equal(r.code, 0, r.stderr.toString());
    const { version } = JSON.parse(readFileSync(join(__dirname, "../../package.json"), "utf8")) as { version: string };
    assert.equal(r.stdout.toString(), `pulumi-alicloud-kms-encrypted ${version}\n`);
  });

  it("messages say inputs as flags, outputs by their names (the value's keyId output, not its --key-id output)", () => {
    assert.equal(inFlags("keyId: 'alias/x' is an alias; give the key's ID, the value's keyId output, with keyVersionId"),
      "--key-id: 'alias/x' is an alias; give the key's ID, the value's keyId output, with --key-version-id");
    assert.equal(inFlags("pass certificateId outputs and encryptionContext"), "pass certificateId outputs and --encryption-context");
  });

  it("envelope round trip through stdin and stdout, under a key alias, locally encrypted", async () => {
    const enc = await cli(["encrypt", "--key-id", "alias/app", "--algorithm", "RSAES_OAEP_SHA_256", "--envelope", "--local"], env, secret);
    assert.equal(enc.code, 0, enc.stderr);
    const envelope = enc.stdout.toString();
    assert.match(envelope, /^[A-Za-z0-9+/]+=*\n$/, "one base64 line");
    assert.equal(JSON.parse(Buffer.from(envelope, "base64").toString()).keyId, "key-rsa2048", "the alias resolved to the key's own ID");
    const dec = await cli(["decrypt"], env, enc.stdout);
    assert.equal(dec.code, 0, dec.stderr);
    assert.deepEqual(dec.stdout, secret);
  });

  it("a reader that closes the pipe early (decrypt … | head -c 10): exit 0, nothing on stderr", async () => {
    const large = Buffer.alloc(4 * 1024 * 1024, "a");
    const enc = await cli(["encrypt", "--key-id", "key-rsa2048", "--envelope", "--local"], env, large);
    assert.equal(enc.code, 0, enc.stderr);
    const dec = await cliIntoClosedPipe(["decrypt"], env, enc.stdout);
    assert.equal(dec.stderr, "", "no EPIPE, no stack trace");
    assert.equal(dec.code, 0);
    assert.ok(dec.stdout.length > 0 && dec.stdout.length < large.length, "the reader got the first bytes only");
  });

  it("direct round trip through files with a certificate; --out is created 0600", async () => {
    const input = join(dir, "password.txt");
    writeFileSync(input, "s3cr3t-password");
    const sealed = join(dir, "password.envelope");
    const opened = join(dir, "password.out");
    const enc = await cli(["encrypt", "--certificate-id", "cert-sm2", "--in", input, "--out", sealed], env);
    assert.equal(enc.code, 0, enc.stderr);
    assert.equal(enc.stdout.length, 0);
    const dec = await cli(["decrypt", "--in", sealed, "--out", opened], env);
    assert.equal(dec.code, 0, dec.stderr);
    assert.equal(readFileSync(opened, "utf8"), "s3cr3t-password");
    assert.equal(statSync(opened).mode & 0o777, 0o600);
  });

  it("a malformed ~/.aliyun/config.json: exit 1, our words, and the file's secret nowhere", async () => {
    const home = join(dir, "home");
    mkdirSync(join(home, ".aliyun"), { recursive: true });
    const secret = "cli-profile-secret-5e6f7a8b";
    writeFileSync(join(home, ".aliyun/config.json"), `{"profiles": [{"name": "ops", "mode": "AK", "access_key_secret": "${secret}"`);
    const profileEnv = { HOME: home, ALIBABA_CLOUD_PROFILE: "ops", ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true",
      ALIBABA_CLOUD_KMS_ENDPOINT: emulator.endpoint, ALIBABA_CLOUD_REGION_ID: emulator.region };
    for (const args of [["encrypt", "--key-id", "key-rsa2048"], ["decrypt"]]) {
      const stdin = args[0] === "decrypt" ? Buffer.from(await encryptCommand({ keyId: "key-rsa2048", envelope: false, local: false }, Buffer.from("x"), env)) : Buffer.from("x");
      const r = await cli(args, profileEnv, stdin);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /CredentialsUnavailable — ALIBABA_CLOUD_PROFILE 'ops': ~\/\.aliyun\/config\.json is not valid JSON/);
      assert.equal(r.stderr.includes(secret), false);
    }
  });

  it("--out never writes through an existing file or link: refused unless --force, which puts a new 0600 file in its place", async () => {
    const sealed = join(dir, "out-sealed");
    assert.equal((await cli(["encrypt", "--key-id", "key-rsa2048", "--out", sealed], env, Buffer.from("out-secret"))).code, 0);
    const existing = join(dir, "existing.txt");
    writeFileSync(existing, "keep me", { mode: 0o644 });
    const world = join(dir, "world-readable.txt");
    writeFileSync(world, "public", { mode: 0o644 });
    const link = join(dir, "link-to-world");
    symlinkSync(world, link);
    const dangling = join(dir, "dangling-link");
    symlinkSync(join(dir, "nowhere", "file"), dangling);
    for (const path of [existing, link, dangling]) {
      const r = await cli(["decrypt", "--in", sealed, "--out", path], env);
      assert.equal(r.code, 1, path);
      assert.match(r.stderr, /--out '.*': already exists; choose a new path, or add --force to replace it/);
    }
    assert.equal(readFileSync(existing, "utf8"), "keep me");
    assert.equal(readFileSync(world, "utf8"), "public", "nothing was written through the link");
    for (const path of [existing, link]) {
      const r = await cli(["decrypt", "--in", sealed, "--out", path, "--force"], env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(lstatSync(path).isSymbolicLink(), false, "the link itself was replaced");
      assert.equal(statSync(path).mode & 0o777, 0o600, "a new file of its owner's, whatever the old one's mode");
      assert.equal(readFileSync(path, "utf8"), "out-secret");
    }
    assert.equal(readFileSync(world, "utf8"), "public", "the link's target is untouched");
    assert.equal(readdirSync(dir).some((f) => f.endsWith(".tmp")), false, "no temporary file is left");
  });

  it("wrong usage exits 2 with a message naming the flag", async () => {
    const cases: [string[], RegExp][] = [
      [[], /no command; use encrypt or decrypt/],
      [["seal"], /unknown command 'seal'/],
      [["se\u001b]8;;https://evil.example\u0007al"], /unknown command 'se\\u\{1b\}\]8;;https:\/\/evil\.example\\u\{7\}al'; use encrypt or decrypt/],
      [["encrypt", "--keyid", "k"], /unknown option '--keyid'; see --help/],
      [["encrypt", "--key-id"], /--key-id needs a value; see --help/],
      [["encrypt", "--envelope=yes", "--key-id", "k"], /--envelope takes no value; see --help/],
      [["encrypt", "--key-id", "key-\u001b[2J"], /--key-id 'key-\\u\{1b\}\[2J' is not a key ID, alias\/<name> or key ARN/],
      [["encrypt", "--key-id", "acs:kms:cn-hangzhou:1:key/"], /--key-id 'acs:kms:cn-hangzhou:1:key\/' names neither key\/<key ID>/],
      [["encrypt", "--certificate-id", "../c"], /--certificate-id '..\/c' is not a certificate ID/],
      [["encrypt", "--key-id", "k", "--certificate-id", "c"], /several --key-id \/ --certificate-id share one data key: add --envelope/],
      [["encrypt", "--envelope", "--key-id", "k", "--key-id", "j", "--algorithm", "SM2PKE"], /with several recipients each uses its key's primary version and default algorithm/],
      [["encrypt", "--envelope", "--key-id", "k", "--key-id", "../j"], /--key-id '\.\.\/j' is not a key ID/],
      [["decrypt", "--key-id", "k", "--key-id", "j"], /decrypt takes one --key-id or --certificate-id/],
      [["encrypt", "--certificate-id", "c", "--key-version-id", "v"], /--key-version-id applies to keys only/],
      [["encrypt", "--key-id", "k", "--algorithm", "RSA_OAEP"], /--algorithm 'RSA_OAEP' is not RSAES_OAEP_SHA_256/],
      [["decrypt", "--envelope"], /--envelope applies to encrypt; decrypt reads what the input says/],
      [["decrypt", "--key-id", "key-rsa2048", "--algorithm", "RSAES_OAEP_SHA_256"], /--key-id needs --key-version-id: the version the value was encrypted with/],
      [["decrypt", "--key-id", "key-rsa2048", "--key-version-id", "v1"], /--algorithm is needed for a bare ciphertext/],
      [["decrypt", "--algorithm", "SM2PKE"], /a bare ciphertext needs --key-id with --key-version-id \(or --certificate-id\), and --algorithm/],
      [["decrypt", "--certificate-id", "cert-rsa", "--region", "cn/hangzhou"], /--region 'cn\/hangzhou' is not a region ID/],
      [["encrypt", "--key-id", "key-rsa2048", "--region", "../x"], /--region '\.\.\/x' is not a region ID/],
      [["decrypt", "--expect-entry", "db"], /--expect-entry needs --expect-scope: the EncryptedValues resource's name, then the entry's/],
      [["encrypt", "--key-id", "k", "--expect-scope", "db"], /--expect-scope applies to decrypt/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args, env, Buffer.from("x"));
      assert.equal(r.code, 2, args.join(" "));
      assert.match(r.stderr, message, args.join(" "));
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    }
  });

  it("decrypts a bare ciphertext (a value without envelope: true) given its outputs as the flags encrypt takes", async () => {
    const client = officialClient(emulator);
    const version = String(((await call(client, "DescribeKey", { KeyId: "key-sm2" })).KeyMetadata as Record<string, unknown>).PrimaryKeyVersion);
    const byKey = await call(client, "AsymmetricEncrypt", { KeyId: "key-sm2", KeyVersionId: version, Algorithm: "SM2PKE", Plaintext: Buffer.from("by key").toString("base64") });
    const byCertificate = await call(client, "CertificatePublicKeyEncrypt", {
      CertificateId: "cert-rsa", Algorithm: "RSAES_OAEP_SHA_1", Plaintext: Buffer.from("by certificate").toString("base64"),
    });
    const { ALIBABA_CLOUD_REGION_ID: _, ...noRegion } = env;
    const keyFlags = ["--key-id", "key-sm2", "--key-version-id", version, "--algorithm", "SM2PKE"];
    const key = await cli(["decrypt", ...keyFlags, "--region", emulator.region], noRegion, Buffer.from(`${String(byKey.CiphertextBlob)}\n`));
    assert.equal(key.code, 0, key.stderr);
    assert.equal(key.stdout.toString(), "by key");
    const certificate = await cli(["decrypt", "--certificate-id", "cert-rsa", "--algorithm", "RSAES_OAEP_SHA_1"], env, Buffer.from(String(byCertificate.CiphertextBlob)));
    assert.equal(certificate.code, 0, certificate.stderr);
    assert.equal(certificate.stdout.toString(), "by certificate");

    const noRegionGiven = await cli(["decrypt", ...keyFlags], noRegion, Buffer.from(String(byKey.CiphertextBlob)));
    assert.equal(noRegionGiven.code, 1);
    assert.match(noRegionGiven.stderr, /--region: a bare ciphertext names no region; set --region \(or ALIBABA_CLOUD_REGION_ID\) to the value's region output/);
    const withoutFlags = await cli(["decrypt"], env, Buffer.from(String(byKey.CiphertextBlob)));
    assert.equal(withoutFlags.code, 1);
    assert.match(withoutFlags.stderr, /the input is not an envelope; a bare ciphertext needs --key-id with --key-version-id \(or --certificate-id\), and --algorithm/);
    const pinned = await cli(["decrypt", ...keyFlags, "--allow-key", "key-rsa2048"], env, Buffer.from(String(byKey.CiphertextBlob)));
    assert.equal(pinned.code, 1);
    assert.match(pinned.stderr, /key 'key-sm2' is not one of allowedKeys; nothing was sent to KMS/);

    const envelope = await cli(["encrypt", "--key-id", "key-rsa2048"], env, Buffer.from("enveloped"));
    const misused = await cli(["decrypt", ...keyFlags], env, envelope.stdout);
    assert.equal(misused.code, 2);
    assert.match(misused.stderr, /the input is an envelope, which names its own key, version, algorithm and region; drop --key-id, --key-version-id, --algorithm/);
  });

  it("a symmetric key with an encryption context: encrypt, then decrypt the envelope or the bare ciphertext with its context", async () => {
    const context = ["--encryption-context", "app=billing", "--encryption-context", "stage=prod"];
    const enc = await cli(["encrypt", "--key-id", "alias/symmetric", ...context], env, Buffer.from("symmetric operator secret"));
    assert.equal(enc.code, 0, enc.stderr);
    const envelope = JSON.parse(Buffer.from(enc.stdout.toString().trim(), "base64").toString()) as Record<string, unknown>;
    assert.equal(envelope.algorithm, "SYMMETRIC_DEFAULT");
    assert.deepEqual(envelope.encryptionContext, { app: "billing", stage: "prod" });
    const dec = await cli(["decrypt"], env, enc.stdout);
    assert.equal(dec.code, 0, dec.stderr);
    assert.equal(dec.stdout.toString(), "symmetric operator secret");

    const bare = String(envelope.ciphertextBlob);
    const flags = ["--key-id", "key-aes", "--algorithm", "SYMMETRIC_DEFAULT"];
    const opened = await cli(["decrypt", ...flags, "--encryption-context", "stage=prod", "--encryption-context", "app=billing"], env, Buffer.from(bare));
    assert.equal(opened.code, 0, opened.stderr);
    assert.equal(opened.stdout.toString(), "symmetric operator secret");
    const refused = await cli(["decrypt", ...flags, "--encryption-context", "app=billing"], env, Buffer.from(bare));
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /InvalidCiphertext — KMS cannot open it: the encryption context differs from the one it was encrypted with/);
    assert.doesNotMatch(refused.stderr + opened.stderr, /symmetric operator secret/);

    for (const [args, message] of [
      [["encrypt", "--key-id", "key-aes", "--encryption-context", "novalue"], /--encryption-context 'novalue' is not key=value/],
      [["encrypt", "--key-id", "key-aes", "--encryption-context", "a=1", "--encryption-context", "a=2"], /--encryption-context names 'a' twice/],
      [["decrypt", "--encryption-context", "a=1"], /the input is an envelope, which names its own key, version, algorithm and region; drop --encryption-context/],
    ] as const) {
      const r = await cli([...args], env, args[0] === "decrypt" ? enc.stdout : Buffer.from("x"));
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
    }
    const asymmetric = await cli(["encrypt", "--key-id", "key-rsa2048", "--encryption-context", "a=1"], env, Buffer.from("x"));
    assert.equal(asymmetric.code, 1);
    assert.match(asymmetric.stderr, /--encryption-context applies to symmetric keys \(Aliyun_AES_256, Aliyun_SM4\) only/);
    const local = await cli(["encrypt", "--key-id", "key-aes", "--local"], env, Buffer.from("x"));
    assert.equal(local.code, 1);
    assert.match(local.stderr, /is symmetric \(Aliyun_AES_256\): KMS never reveals a symmetric key.*\(drop --local\)|is symmetric .*drop --local/);
  });

  it("an unexpected argument is named by position, never echoed (a secret typed in the wrong place stays out of logs)", async () => {
    const r = await cli(["encrypt", "--key-id", "key-aes", "hunter2-typed-here"], env, Buffer.from("x"));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unexpected argument #1 \(after the command\); the input comes from --in or stdin/);
    assert.doesNotMatch(r.stderr + r.stdout.toString(), /hunter2/);
  });

  it("a bare symmetric ciphertext from any KMS client: its text by default, --plaintext-encoding base64 only for base64", async () => {
    const client = officialClient(emulator);
    const made = await call(client, "Encrypt", { KeyId: "key-aes", Plaintext: "example" });
    const flags = ["decrypt", "--key-id", "key-aes", "--algorithm", "SYMMETRIC_DEFAULT"];
    const text = await cli(flags, env, Buffer.from(String(made.CiphertextBlob)));
    assert.equal(text.code, 0, text.stderr);
    assert.equal(text.stdout.toString(), "example");
    const refused = await cli([...flags, "--plaintext-encoding", "base64"], env, Buffer.from(String(made.CiphertextBlob)));
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /not base64, though base64 was asked for \(--plaintext-encoding\)/);
    assert.doesNotMatch(refused.stderr, /example/);
    const binary = await call(client, "Encrypt", { KeyId: "key-aes", Plaintext: Buffer.from([0, 255, 7]).toString("base64") });
    const decoded = await cli([...flags, "--plaintext-encoding", "base64"], env, Buffer.from(String(binary.CiphertextBlob)));
    assert.equal(decoded.code, 0, decoded.stderr);
    assert.deepEqual(decoded.stdout, Buffer.from([0, 255, 7]));
    for (const [args, message] of [
      [[...flags, "--plaintext-encoding", "hex"], /--plaintext-encoding 'hex' is not text or base64/],
      [["decrypt", "--plaintext-encoding", "base64"], /--plaintext-encoding applies to a bare symmetric ciphertext/],
      [["encrypt", "--key-id", "key-aes", "--plaintext-encoding", "text"], /--plaintext-encoding applies to decrypt/],
    ] as const) {
      const r = await cli([...args], env, Buffer.from(String(made.CiphertextBlob)));
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
    }
    // What the CLI's encrypt sends: the text itself, which Decrypt through any SDK returns.
    const enc = await cli(["encrypt", "--key-id", "key-aes"], env, Buffer.from("operator text ✓"));
    const ciphertext = String(JSON.parse(Buffer.from(enc.stdout.toString().trim(), "base64").toString()).ciphertextBlob);
    assert.equal((await call(client, "Decrypt", { CiphertextBlob: ciphertext })).Plaintext, "operator text ✓");
    const notText = await cli(["encrypt", "--key-id", "key-aes"], env, Buffer.from([0xff, 0xfe, 0x01]));
    assert.equal(notText.code, 1);
    assert.match(notText.stderr, /the input is not UTF-8 text: a symmetric key's Encrypt takes a value as text.*add --envelope for binary data/);
  });

  it("several recipients: --key-id / --certificate-id more than once; decrypt says which opened it and why the others did not", async () => {
    const enc = await cli(["encrypt", "--envelope", "--key-id", "alias/app", "--key-id", "key-sm2", "--certificate-id", "cert-rsa"], env, secret);
    assert.equal(enc.code, 0, enc.stderr);
    const envelope = JSON.parse(Buffer.from(enc.stdout.toString().trim(), "base64").toString()) as { v: number; recipients: Record<string, string>[] };
    assert.equal(envelope.v, 3);
    assert.deepEqual(envelope.recipients.map((r) => r.keyId ?? r.certificateId), ["key-rsa2048", "key-sm2", "cert-rsa"]);
    const first = await cli(["decrypt"], env, enc.stdout);
    assert.equal(first.code, 0, first.stderr);
    assert.ok(first.stdout.equals(secret));
    assert.equal(first.stderr, "pulumi-alicloud-kms-encrypted: opened with key key-rsa2048 in cn-hangzhou\n");
    const flagged = await cli(["decrypt", "--key-id", "key-sm2", "--key-version-id", "v", "--algorithm", "SM2PKE"], env, enc.stdout);
    assert.equal(flagged.code, 2, "an envelope of several is an envelope: it names its own recipients");
    assert.match(flagged.stderr, /the input is an envelope, which names its own key, version, algorithm and region; drop --key-id/);
    const pinned = await cli(["decrypt", "--allow-key", "cert-rsa"], env, enc.stdout);
    assert.equal(pinned.stderr, "pulumi-alicloud-kms-encrypted: opened with certificate cert-rsa in cn-hangzhou\n");
    await call(officialClient(emulator), "DisableKey", { KeyId: "key-rsa2048" });
    try {
      const failover = await cli(["decrypt"], env, enc.stdout);
      assert.equal(failover.code, 0, failover.stderr);
      assert.ok(failover.stdout.equals(secret));
      assert.match(failover.stderr, /^pulumi-alicloud-kms-encrypted: opened with key key-sm2 in cn-hangzhou \(tried first: key key-rsa2048 in cn-hangzhou: .*Rejected\.Disabled/);
      const none = await cli(["decrypt", "--allow-key", "key-rsa2048"], env, enc.stdout);
      assert.equal(none.code, 1);
      assert.match(none.stderr, /no recipient could open the envelope: key key-rsa2048 in cn-hangzhou: .*Rejected\.Disabled/);
      assert.doesNotMatch(none.stderr + failover.stderr, /operator secret line/);
    } finally {
      await call(officialClient(emulator), "EnableKey", { KeyId: "key-rsa2048" });
    }
  });

  it("no credentials anywhere: exit 1, what was tried and the operator's ways to give them, in our words", async () => {
    const home = mkdtempSync(join(tmpdir(), "kms-cli-home-"));
    try {
      const { ALIBABA_CLOUD_ACCESS_KEY_ID: _id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: _secret, ...noKeys } = env;
      for (const args of [["encrypt", "--key-id", "key-rsa2048"], ["decrypt", "--key-id", "key-rsa2048", "--key-version-id", "v1", "--algorithm", "RSAES_OAEP_SHA_256"]]) {
        const r = await cli(args, { ...noKeys, HOME: home }, Buffer.from("c2VjcmV0"));
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, /^pulumi-alicloud-kms-encrypted: --key-id '[^']+'.*: CredentialsUnavailable — the default credentials chain found none \(it tries ALIBABA_CLOUD_ACCESS_KEY_ID\/ALIBABA_CLOUD_ACCESS_KEY_SECRET, .*\)\. Set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or ALIBABA_CLOUD_PROFILE, or run with a RAM role\n$/);
        assert.doesNotMatch(r.stderr, /undefined|alicloud:|alicloud-kms:|getaddrinfo|\n\s+at /, "no library text, stack key or stack trace");
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("no answer from KMS names ALIBABA_CLOUD_KMS_ENDPOINT, the setting an operator has", async () => {
    const r = await cli(["encrypt", "--key-id", "key-rsa2048"], { ...env, ALIBABA_CLOUD_KMS_ENDPOINT: "http://127.0.0.1:9" }, Buffer.from("x"));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /NetworkError — no answer from http:\/\/127\.0\.0\.1:9 .*after retries; check ALIBABA_CLOUD_KMS_ENDPOINT and the network/);
    assert.doesNotMatch(r.stderr, /alicloud-kms:/);
  });

  it("refusals exit 1 with KMS's code and what to do, in flags, without the plaintext", async () => {
    const cases: [string[], RegExp][] = [
      [["encrypt", "--key-id", "key-rsa2048"], /the input is \d+ bytes; RSA_2048 with RSAES_OAEP_SHA_256 encrypts at most 190\. add --envelope/],
      [["encrypt", "--key-id", "alias/nope", "--envelope"], /--key-id 'alias\/nope': Forbidden\.AliasNotFound/],
      [["encrypt", "--key-id", "key-disabled", "--envelope"], /--key-id 'key-disabled': Rejected\.Disabled/],
      [["encrypt", "--key-id", "key-sm2", "--algorithm", "RSAES_OAEP_SHA_1", "--envelope"], /algorithm RSAES_OAEP_SHA_1 does not fit key spec EC_SM2/],
      [["encrypt", "--key-id", "key-rsa2048", "--envelope", "--in", join(dir, "missing")], /--in '.*missing': no such file or directory/],
      [["decrypt"], /envelope: not base64/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args, env, secret);
      assert.equal(r.code, 1, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(" "));
      assert.ok(!r.stderr.includes("operator secret line"), "no plaintext");
    }
    const badSecret = await cli(["encrypt", "--key-id", "key-rsa2048", "--envelope"], { ...env, ALIBABA_CLOUD_ACCESS_KEY_SECRET: "not-the-secret-42" }, secret);
    assert.equal(badSecret.code, 1);
    assert.match(badSecret.stderr, /SignatureDoesNotMatch .*ALIBABA_CLOUD_ACCESS_KEY_ID/);
    assert.ok(!badSecret.stderr.includes("not-the-secret-42"));
  });
});
