import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as rpc from "@pulumi/pulumi/proto/provider_pb";
import { PluginServer, serve } from "../../provider/plugin/server";
import { decrypt } from "../../sdk/decrypt";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { realEncryptions } from "../support/emulator-stats";
import { applicationEnv } from "../support/application-env";
import { secretForms } from "../support/secret-forms";

// The resource plugin's gRPC door, spoken to as the engine speaks to it (ResourceProviderClient from
// @pulumi/pulumi's own stubs), against the emulator over HTTP. What a generated SDK cannot send is
// completed in check: the URN, the digest (salted from the engine's randomSeed, the same in a plan's
// replay; from the stored digest afterwards) and the stack's integrity key (alicloud-kms:integrityKey).
// No response carries the plaintext in any form.

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";
const secret = (value: unknown) => ({ [SIG]: SECRET, value });
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
type Props = Record<string, unknown>;

const VALUE_URN = "urn:pulumi:dev::app::alicloud-kms:index:EncryptedValue::db-password";
const VALUES_URN = "urn:pulumi:dev::app::alicloud-kms:index:EncryptedValues::app-secrets";
const PASSWORD_URN = "urn:pulumi:dev::app::alicloud-kms:index:EncryptedRandomPassword::db-password";

function call<Req, Res>(client: ResourceProviderClient, method: string, request: Req): Promise<Res> {
  return new Promise((resolve, reject) => {
    type Unary = (r: Req, cb: (e: grpc.ServiceError | null, res: Res) => void) => void;
    const fn = (client as unknown as Record<string, Unary>)[method]!;
    fn.call(client, request, (e, res) => (e ? reject(e) : resolve(res)));
  });
}

describe("the resource plugin's gRPC service", { timeout: 120_000 }, () => {
  let emulator: KmsEmulator;
  let grpcServer: grpc.Server;
  let client: ResourceProviderClient;
  const seen: string[] = [];
  const password = `plugin-pw-${randomBytes(12).toString("hex")}`;
  const integrityKey = randomBytes(32).toString("base64");

  const record = <T extends { toObject(): unknown }>(response: T): T => {
    seen.push(JSON.stringify(response.toObject()));
    return response;
  };
  /** Configure as the engine sends it: `variables` unmarked, `args` with the stack config's own secret markers. */
  const configure = async (variables: Record<string, string>, args?: Props) => {
    const req = new rpc.ConfigureRequest();
    for (const [k, v] of Object.entries(variables)) req.getVariablesMap().set(`alicloud-kms:config:${k}`, v);
    if (args) req.setArgs(Struct.fromJavaScript(args as never));
    return record(await call<rpc.ConfigureRequest, rpc.ConfigureResponse>(client, "configure", req));
  };
  const check = async (urn: string, news: Props, olds: Props = {}, seed = randomBytes(32)) => {
    const req = new rpc.CheckRequest().setUrn(urn)
      .setNews(Struct.fromJavaScript(news as never)).setOlds(Struct.fromJavaScript(olds as never))
      .setRandomseed(seed);
    const res = record(await call<rpc.CheckRequest, rpc.CheckResponse>(client, "check", req));
    const failures = res.getFailuresList().map((f) => f.getReason());
    return { inputs: (res.getInputs()?.toJavaScript() ?? {}) as Props, failures };
  };
  const create = async (urn: string, inputs: Props) => {
    const res = record(await call<rpc.CreateRequest, rpc.CreateResponse>(client, "create",
      new rpc.CreateRequest().setUrn(urn).setProperties(Struct.fromJavaScript(inputs as never))));
    return { id: res.getId(), outs: (res.getProperties()?.toJavaScript() ?? {}) as Props };
  };
  const diff = async (urn: string, olds: Props, news: Props) => {
    const res = record(await call<rpc.DiffRequest, rpc.DiffResponse>(client, "diff", new rpc.DiffRequest().setUrn(urn).setId("id")
      .setOlds(Struct.fromJavaScript(olds as never)).setNews(Struct.fromJavaScript(news as never))));
    return res.getChanges();
  };

  before(async () => {
    emulator = await startKmsEmulator();
    const served = await serve(new PluginServer({ version: "0.1.0" }));
    grpcServer = served.grpcServer;
    client = new ResourceProviderClient(`127.0.0.1:${served.port}`, grpc.credentials.createInsecure());
  });
  after(async () => {
    client?.close();
    grpcServer?.forceShutdown();
    await emulator?.close();
  });

  it("answers its version and a schema with the TypeScript SDK's names, plaintexts secret", async () => {
    const info = await call<Empty, { getVersion(): string }>(client, "getPluginInfo", new Empty());
    assert.equal(info.getVersion(), "0.1.0");
    const schema = JSON.parse((await call<rpc.GetSchemaRequest, rpc.GetSchemaResponse>(client, "getSchema", new rpc.GetSchemaRequest())).getSchema());
    assert.equal(schema.name, "alicloud-kms");
    const value = schema.resources["alicloud-kms:index:EncryptedValue"];
    assert.equal(value.inputProperties.plaintext.secret, true);
    assert.equal(schema.resources["alicloud-kms:index:EncryptedValues"].inputProperties.plaintexts.secret, true);
    for (const output of ["ciphertextBlob", "envelope", "keyVersionId", "plaintextRevision", "staleReason"]) assert.ok(value.properties[output], output);
    assert.equal(schema.config.variables.integrityKey.secret, true);
  });

  it("checks its config: a misspelt key is named with the one meant, and secret keys go to state as secrets", async () => {
    const res = await call<rpc.CheckRequest, rpc.CheckResponse>(client, "checkConfig", new rpc.CheckRequest()
      .setUrn("urn:pulumi:dev::app::pulumi:providers:alicloud-kms::default")
      .setNews(Struct.fromJavaScript({ secretkey: "s3cr3t-typo", secretKey: "s3cr3t-value", version: "0.1.0" })));
    const failures = res.getFailuresList();
    assert.equal(failures.length, 1);
    assert.equal(failures[0]!.getProperty(), "", "unattributed: the engine would print the value beside a named one");
    assert.match(failures[0]!.getReason(), /alicloud-kms:secretkey is not a setting of this provider; did you mean alicloud-kms:secretKey\?/);
    assert.equal(failures[0]!.getReason().includes("s3cr3t"), false);
    const inputs = res.getInputs()!.toJavaScript() as Props;
    assert.deepEqual(inputs.secretKey, secret("s3cr3t-value"));
    // Security round 4, item 6: a config key is the writer's choice too; escapes in it are shown escaped.
    const hostile = await call<rpc.CheckRequest, rpc.CheckResponse>(client, "checkConfig", new rpc.CheckRequest()
      .setUrn("urn:pulumi:dev::app::pulumi:providers:alicloud-kms::default")
      .setNews(Struct.fromJavaScript({ "end\u001b[2Kpoint": "x", version: "0.1.0" })));
    const [reason] = hostile.getFailuresList().map((f) => f.getReason());
    assert.match(reason ?? "", /^'alicloud-kms:end\\u\{1b\}\[2Kpoint' is not a setting of this provider/);
    assert.doesNotMatch(reason ?? "", /[\u0000-\u001f]/);
  });

  // Issue 35, item 4: no manual key step. Without alicloud-kms:integrityKey each value keeps a root of
  // its own, a secret among its inputs, in the stack key's place: drawn from the engine's seed (which
  // a saved plan replays), then the stored one. State cannot choose it: a root state holds in clear
  // is not taken, and the stored ciphertext then fails its tag.
  it("without alicloud-kms:integrityKey, a value keeps a root of its own as a secret input: seeded, then stored; one in clear is replaced", async () => {
    const answer = await configure({ endpoint: emulator.endpoint, region: emulator.region,
      accessKey: emulator.accessKeyId, secretKey: emulator.accessKeySecret });
    assert.equal(answer.getAcceptsecrets(), true);
    assert.equal(answer.getSupportspreview(), false, "a preview answers with the checked inputs, as the dynamic provider's does");
    const news = { plaintext: secret(password), keyId: "alias/rsa-2048" };
    const seed = randomBytes(32);
    const first = await check(VALUE_URN, news, {}, seed);
    assert.deepEqual(first.failures, []);
    const root = first.inputs.integrityRoot as Props;
    assert.equal(root?.[SIG], SECRET, "the root is a secret");
    assert.match(String(root.value), /^[A-Za-z0-9_-]{43}$/);
    assert.equal("stackIntegrityKey" in first.inputs, false, "never the stack key input");
    assert.deepEqual((await check(VALUE_URN, news, {}, seed)).inputs, first.inputs, "replayed from a plan: identical");
    const other = await check(VALUE_URN, news, {}, randomBytes(32));
    assert.notDeepEqual(other.inputs.integrityRoot, root, "another value (or deployment) draws another");
    assert.notDeepEqual(other.inputs.integrityKey, first.inputs.integrityKey);
    const kept = await check(VALUE_URN, news, first.inputs, randomBytes(32));
    assert.deepEqual([kept.inputs.integrityRoot, kept.inputs.integrityKey], [root, first.inputs.integrityKey], "the stored root is kept");

    const { outs } = await create(VALUE_URN, (await check(VALUE_URN, news, {}, seed)).inputs);
    assert.equal("integrityRoot" in outs, false, "an input only, never an output");
    const unchanged = await check(VALUE_URN, news, first.inputs);
    assert.equal(await diff(VALUE_URN, outs, unchanged.inputs), rpc.DiffResponse.DiffChanges.DIFF_NONE);
    // The attacker's edit: a root of their choosing (here the real one) in clear among the stored inputs.
    const inClear = await check(VALUE_URN, news, { ...first.inputs, integrityRoot: root.value });
    assert.notDeepEqual(inClear.inputs.integrityRoot, root, "a root state holds in clear is not taken");
    assert.equal(await diff(VALUE_URN, outs, inClear.inputs), rpc.DiffResponse.DiffChanges.DIFF_SOME, "so the stored ciphertext fails its tag");

    const refused = await check(VALUE_URN, { plaintext: secret(password) }, first.inputs);
    assert.equal(refused.failures.length, 1);
    for (const name of ["plaintext", "integrityRoot", "stackIntegrityKey"]) assert.equal(name in refused.inputs, false, name);
    const map = await check(VALUES_URN, { plaintexts: { db: secret(password) }, keyId: "alias/rsa-2048" }, {}, seed);
    assert.equal((map.inputs.integrityRoot as Props)?.[SIG], SECRET, "a map keeps one too");
    assert.notDeepEqual(map.inputs.integrityRoot, root, "each resource its own");
  });

  // Security round 4, item 5 (its second half): a trivial key (32 zero bytes, a short pattern) is as
  // good as none; anyone could compute the tags.
  // Keepers are digested under the value's own root, which a configured stack key does not replace:
  // setting (or changing, or removing) the key fails the stored tags (refused, naming keepers) and is
  // never taken for new keepers, which would draw a new database password unasked.
  it("a password's keepers digest is the same with and without alicloud-kms:integrityKey; its integrity key is not", async () => {
    const base = {
      endpoint: emulator.endpoint, region: emulator.region, accessKey: emulator.accessKeyId, secretKey: emulator.accessKeySecret,
    };
    const news = { length: 24, keepers: { generation: "1" }, keyId: "alias/aes-256" };
    await configure(base);
    const keyless = await check(PASSWORD_URN, news);
    assert.deepEqual(keyless.failures, []);
    const args = { ...base, secretKey: secret(base.secretKey), integrityKey: secret(integrityKey) };
    await configure({ ...base, integrityKey }, args);
    const keyed = await check(PASSWORD_URN, news, keyless.inputs);
    assert.deepEqual(keyed.failures, []);
    assert.deepEqual(keyed.inputs.integrityRoot, keyless.inputs.integrityRoot, "the stored root is kept with a stack key");
    assert.equal(keyed.inputs.trigger, keyless.inputs.trigger, "keepers unchanged: the same digest");
    assert.notDeepEqual(keyed.inputs.integrityKey, keyless.inputs.integrityKey, "the tags' key is the stack's now");
    const redrawn = await check(PASSWORD_URN, { ...news, keepers: { generation: "2" } }, keyless.inputs);
    assert.notEqual(redrawn.inputs.trigger, keyless.inputs.trigger, "new keepers: another digest");
  });

  it("a trivially weak alicloud-kms:integrityKey (zeros, a repeated pattern) is refused at check, never taken as no key", async () => {
    for (const weak of [Buffer.alloc(32), Buffer.alloc(32, "ab"), Buffer.from("0123456789".repeat(4).slice(0, 32))]) {
      await configure({ endpoint: emulator.endpoint, region: emulator.region, accessKey: emulator.accessKeyId,
        secretKey: emulator.accessKeySecret, integrityKey: weak.toString("base64") });
      const { failures } = await check(VALUE_URN, { plaintext: secret(password), keyId: "alias/rsa-2048" });
      assert.equal(failures.length, 1, weak.toString("hex"));
      assert.match(failures[0]!, /^alicloud-kms:integrityKey is not base64 of 32 bytes, or is not random: .*pulumi config set --secret alicloud-kms:integrityKey "\$\(openssl rand -base64 32\)", or remove it \(pulumi config rm alicloud-kms:integrityKey\)/);
    }
  });

  // Security round 4, item 5 (its first half): a key set without --secret sits in Pulumi.<stack>.yaml,
  // often committed, where anyone can read it and forge the tags. CheckConfig sees every value without
  // its marker; Configure's args carry the engine's own, which CheckConfig no longer hides by wrapping.
  it("an alicloud-kms:integrityKey set in clear is refused at check, naming the command; set as a secret it is taken", async () => {
    const variables = { endpoint: emulator.endpoint, region: emulator.region, accessKey: emulator.accessKeyId,
      secretKey: emulator.accessKeySecret, integrityKey };
    const checkConfig = await call<rpc.CheckRequest, rpc.CheckResponse>(client, "checkConfig", new rpc.CheckRequest()
      .setUrn("urn:pulumi:dev::app::pulumi:providers:alicloud-kms::default").setNews(Struct.fromJavaScript({ integrityKey } as never)));
    assert.deepEqual((checkConfig.getInputs()!.toJavaScript() as Props).integrityKey, integrityKey,
      "returned as it came, for the engine to mark as the stack config has it");

    await configure(variables, { ...variables, secretKey: secret(emulator.accessKeySecret) });
    const { inputs, failures } = await check(VALUE_URN, { plaintext: secret(password), keyId: "alias/rsa-2048" });
    assert.equal(failures.length, 1);
    assert.match(failures[0]!, /^alicloud-kms:integrityKey is set in clear in the stack's config \(Pulumi\.<stack>\.yaml, often committed\).*Replace it with a new one, as a secret \(every value is then re-encrypted once\): pulumi config set --secret alicloud-kms:integrityKey "\$\(openssl rand -base64 32\)"$/);
    assert.equal(failures[0]!.includes(integrityKey), false, "the key is not repeated");
    assert.equal("plaintext" in inputs, false);
    const map = await check(VALUES_URN, { plaintexts: { db: secret(password) }, keyId: "alias/rsa-2048" });
    assert.match(map.failures[0] ?? "", /^alicloud-kms:integrityKey is set in clear/);
    assert.equal("plaintexts" in map.inputs, false);

    await configure(variables, { ...variables, secretKey: secret(emulator.accessKeySecret), integrityKey: secret(integrityKey) });
    assert.deepEqual((await check(VALUE_URN, { plaintext: secret(password), keyId: "alias/rsa-2048" })).failures, []);
    // An engine that sends no args cannot say: the key is taken.
    await configure(variables);
    assert.deepEqual((await check(VALUE_URN, { plaintext: secret(password), keyId: "alias/rsa-2048" })).failures, []);
  });

  it("check completes URN, digest and integrity key; the same seed (a plan's replay) checks the same inputs", async () => {
    await configure({ endpoint: emulator.endpoint, region: emulator.region, accessKey: emulator.accessKeyId,
      secretKey: emulator.accessKeySecret, integrityKey });
    const news = { plaintext: secret(password), keyId: "alias/rsa-2048" };
    const seed = randomBytes(32);
    emulator.resetStats();
    const first = await check(VALUE_URN, news, {}, seed);
    assert.deepEqual(first.failures, []);
    assert.equal(realEncryptions(emulator.stats()), 0, "check encrypts nothing (a DryRun)");
    assert.equal(first.inputs.valueUrn, VALUE_URN);
    assert.equal("plaintext" in first.inputs || "stackIntegrityKey" in first.inputs, false, "neither the plaintext nor the stack key");
    const digest = first.inputs.plaintextDigest as { value: string };
    assert.equal((digest as Props)[SIG], SECRET, "the digest is a secret");
    assert.match(digest.value, /^scrypt\$12\$8\$1\$/);
    assert.deepEqual((await check(VALUE_URN, news, {}, seed)).inputs, first.inputs, "replayed from a plan: identical");
    const other = await check(VALUE_URN, news, {}, randomBytes(32));
    assert.notDeepEqual(other.inputs.plaintextDigest, first.inputs.plaintextDigest, "another deployment salts a new value afresh");
    const again = await check(VALUE_URN, news, first.inputs, randomBytes(32));
    assert.deepEqual(again.inputs.plaintextDigest, first.inputs.plaintextDigest, "an existing value keeps its salt, so an unchanged plaintext is no change");
    const changed = await check(VALUE_URN, { ...news, plaintext: secret(`${password}!`) }, first.inputs, randomBytes(32));
    assert.notDeepEqual(changed.inputs.plaintextDigest, first.inputs.plaintextDigest);
    assert.equal((await check(VALUE_URN, { ...news, plaintext: UNKNOWN })).inputs.plaintextDigest, UNKNOWN, "a preview that cannot tell yet");
  });

  it("create encrypts once; diff sees no change for the same plaintext and a change for another; the envelope opens", async () => {
    const news = { plaintext: secret(password), keyId: "alias/rsa-2048", envelope: true };
    const checked = await check(VALUE_URN, news);
    emulator.resetStats();
    const { id, outs } = await create(VALUE_URN, checked.inputs);
    assert.ok(id);
    assert.equal(realEncryptions(emulator.stats()), 1);
    const opened = await decrypt(String(outs.envelope), { env: applicationEnv(emulator, emulator), expectScope: { value: "db-password" } });
    assert.equal(opened.toString(), password);
    const same = await check(VALUE_URN, news, checked.inputs);
    assert.equal(await diff(VALUE_URN, outs, same.inputs), rpc.DiffResponse.DiffChanges.DIFF_NONE);
    const changed = await check(VALUE_URN, { ...news, plaintext: secret(`${password}?`) }, checked.inputs);
    assert.equal(await diff(VALUE_URN, outs, changed.inputs), rpc.DiffResponse.DiffChanges.DIFF_SOME);
    const read = await call<rpc.ReadRequest, rpc.ReadResponse>(client, "read", new rpc.ReadRequest().setUrn(VALUE_URN).setId(id)
      .setProperties(Struct.fromJavaScript(outs as never)).setInputs(Struct.fromJavaScript(checked.inputs as never)));
    assert.equal((read.getProperties()!.toJavaScript() as Props).staleReason, "");
  });

  it("EncryptedValues: each entry digested under its own salt, each envelope opens to its entry", async () => {
    const plaintexts = { db: `${password}-db`, api: `${password}-api` };
    const checked = await check(VALUES_URN, { plaintexts: secret(plaintexts), keyId: "alias/aes-256", envelope: true });
    assert.deepEqual(checked.failures, []);
    const digests = JSON.parse((checked.inputs.plaintextDigests as { value: string }).value) as Record<string, string>;
    assert.deepEqual(Object.keys(digests).sort(), ["api", "db"]);
    assert.notEqual(digests.db!.split("$")[4], digests.api!.split("$")[4], "one salt per entry");
    const { outs } = await create(VALUES_URN, checked.inputs);
    const envelopes = outs.envelopes as Record<string, string>;
    for (const [entry, plaintext] of Object.entries(plaintexts)) {
      const opened = await decrypt(envelopes[entry]!, { env: applicationEnv(emulator, emulator), expectScope: { value: "app-secrets", entry } });
      assert.equal(opened.toString(), plaintext);
    }
  });

  it("EncryptedValues returns both maps (a generated SDK derives neither), and state with both is still no change", async () => {
    for (const envelope of [false, true]) {
      const news = { plaintexts: secret({ db: `${password}-db` }), keyId: "alias/aes-256", envelope };
      const checked = await check(VALUES_URN, news);
      const { id, outs } = await create(VALUES_URN, checked.inputs);
      assert.equal(outs.derivedMap, envelope ? "ciphertexts" : "envelopes");
      const { ciphertexts, envelopes } = outs as { ciphertexts: Record<string, string>; envelopes: Record<string, string> };
      assert.ok(ciphertexts.db && envelopes.db, "both maps");
      const opened = await decrypt(envelopes.db, { env: applicationEnv(emulator, emulator) });
      assert.equal(opened.toString(), `${password}-db`);
      const again = await check(VALUES_URN, news, checked.inputs);
      assert.equal(await diff(VALUES_URN, outs, again.inputs), rpc.DiffResponse.DiffChanges.DIFF_NONE, `envelope: ${envelope}`);
      const read = await call<rpc.ReadRequest, rpc.ReadResponse>(client, "read", new rpc.ReadRequest().setUrn(VALUES_URN).setId(id)
        .setProperties(Struct.fromJavaScript(outs as never)));
      const refreshed = read.getProperties()!.toJavaScript() as Props;
      assert.equal(refreshed.staleReason, "", `envelope: ${envelope}`);
      assert.deepEqual(refreshed.envelopes, envelopes);
    }
  });

  // Security round 4, item 1: the derived map (envelopes of a direct map, ciphertexts of an enveloped
  // one) is covered by no tag. An attacker who writes state puts another envelope there (one made
  // with the public key alone, here one the attacker had the plugin make for a plaintext of theirs),
  // or swaps two entries under a symmetric key; `up` must put it back, `refresh` must say so.
  for (const [keyId, envelope, tamper] of [
    ["alias/rsa-2048", false, "an envelope of the attacker's plaintext in place of one entry's"],
    ["alias/aes-256", false, "two entries swapped"],
    ["alias/aes-256", true, "two entries swapped"],
  ] as const) {
    it(`EncryptedValues under ${keyId}${envelope ? " (envelopes)" : ""}: the derived map edited in state (${tamper}) is put back by up, named by refresh`, async () => {
      const news = { plaintexts: secret({ db: `${password}-db`, api: `${password}-api` }), keyId, envelope };
      const checked = await check(VALUES_URN, news);
      const { id, outs } = await create(VALUES_URN, checked.inputs);
      const derived = String(outs.derivedMap) as "ciphertexts" | "envelopes";
      const original = outs[derived] as Record<string, string>;
      let forged: string;
      if (tamper === "two entries swapped") forged = original.api!;
      else {
        const attacker = await check(VALUES_URN, { ...news, plaintexts: secret({ db: "attacker-chosen", api: "x" }) });
        forged = ((await create(VALUES_URN, attacker.inputs)).outs[derived] as Record<string, string>).db!;
      }
      const tampered = { ...outs, [derived]: { ...original, db: forged } };

      const again = await check(VALUES_URN, news, checked.inputs);
      assert.equal(await diff(VALUES_URN, tampered, again.inputs), rpc.DiffResponse.DiffChanges.DIFF_SOME, "up notices the derived map");
      emulator.resetStats();
      const updated = record(await call<rpc.UpdateRequest, rpc.UpdateResponse>(client, "update", new rpc.UpdateRequest().setUrn(VALUES_URN)
        .setId(id).setOlds(Struct.fromJavaScript(tampered as never)).setNews(Struct.fromJavaScript(again.inputs as never))));
      const repaired = updated.getProperties()!.toJavaScript() as Props;
      assert.deepEqual(repaired[derived], original, "put back as the stored map derives it");
      assert.equal(realEncryptions(emulator.stats()), 0, "without encrypting anything");

      const read = await call<rpc.ReadRequest, rpc.ReadResponse>(client, "read", new rpc.ReadRequest().setUrn(VALUES_URN).setId(id)
        .setProperties(Struct.fromJavaScript(tampered as never)));
      const refreshed = read.getProperties()!.toJavaScript() as Props;
      assert.match(String(refreshed.staleReason), new RegExp(`its ${derived} output is not what its ${derived === "envelopes" ? "ciphertexts" : "envelopes"} give`));
      assert.deepEqual(refreshed[derived], original);
    });
  }

  // Security round 4, item 3: a secret wrapping the whole list of recipients (YAML's fn::secret,
  // Python's Output.secret) or one recipient hid the secret context inside it from the check.
  it("a secret list of recipients, or a secret recipient, with a context is refused at check, naming recipients[i].encryptionContext", async () => {
    const tenant = `tenant-${randomBytes(8).toString("hex")}`;
    const recipients = [{ keyId: "alias/rsa-2048" }, { keyId: "alias/aes-256", encryptionContext: { tenant } }];
    assert.deepEqual((await check(VALUE_URN, { plaintext: secret(password), recipients })).failures, [], "in the open, they are valid");
    for (const given of [secret(recipients), [recipients[0], secret(recipients[1])]]) {
      const { failures } = await check(VALUE_URN, { plaintext: secret(password), recipients: given });
      assert.ok(failures.some((f) => /recipients\[1\]\.encryptionContext holds a secret; the context is stored in state/.test(f)), JSON.stringify(failures));
    }
  });

  // Security round 4, also: a failed check hands its inputs back to the engine; a plaintext sent
  // under the other resource's name (plaintext to EncryptedValues, plaintexts to EncryptedValue) came back with them.
  it("a failed check returns no plaintext-named property, a misaddressed one included", async () => {
    const stray = `stray-${randomBytes(8).toString("hex")}`;
    for (const [urn, news] of [
      [VALUES_URN, { plaintext: secret(stray), plaintextBase64: secret(stray), plaintexts: secret({ db: stray }), keyId: "alias/no-such-key" }],
      [VALUE_URN, { plaintext: secret(stray), plaintexts: secret({ db: stray }), keyId: "alias/no-such-key" }],
    ] as const) {
      const { inputs, failures } = await check(urn, news);
      assert.ok(failures.length > 0, urn);
      for (const name of ["plaintext", "plaintextBase64", "plaintexts"]) assert.equal(name in inputs, false, `${urn}: ${name}`);
      assert.equal(JSON.stringify(inputs).includes(stray), false, urn);
    }
  });

  it("warns, naming the value, when a digest would be cheap to guess", async () => {
    // The warning goes to the engine's log, which this test has not; check still succeeds.
    const { failures } = await check(VALUE_URN, { plaintext: secret("1234"), keyId: "alias/rsa-2048" });
    assert.deepEqual(failures, []);
  });

  it("serves a value whose URN carries its parents' types (a component's child)", async () => {
    const child = "urn:pulumi:dev::app::my:index:Database$alicloud-kms:index:EncryptedValue::db-password";
    const { inputs, failures } = await check(child, { plaintext: secret(password), keyId: "alias/rsa-2048" });
    assert.deepEqual(failures, []);
    const { outs } = await create(child, inputs);
    const opened = await decrypt(String(outs.envelope), { env: applicationEnv(emulator, emulator) });
    assert.equal(opened.toString(), password);
  });

  it("refuses a type it does not have, and no response so far held the plaintext in any form", async () => {
    await assert.rejects(check("urn:pulumi:dev::app::alicloud-kms:index:Nope::x", {}), /alicloud-kms has no resource type 'alicloud-kms:index:Nope'/);
    const all = seen.join("\n");
    for (const form of [password, `${password}-db`, `${password}-api`, `${password}!`, `${password}?`].flatMap((p) => secretForms(p))) {
      assert.equal(all.includes(form), false, "a plaintext in a response");
    }
    assert.equal(all.includes(integrityKey), false, "the stack's integrity key in a response");
  });
});
