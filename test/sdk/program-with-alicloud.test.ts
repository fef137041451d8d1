import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as alicloud from "@pulumi/alicloud";
import * as pulumi from "@pulumi/pulumi";
import { EncryptedValue } from "../../sdk";
import { digestWithSalt, saltFor } from "../../provider/crypto/plaintext-digest";

// A user's program under pulumi.runtime.setMocks: an @pulumi/alicloud kms.Key feeds keyId, and
// the ciphertext feeds another alicloud resource. Checks what the SDK registers with the engine.

type Props = Record<string, unknown>;
const SECRET = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
const STACK_SALT = "mocked-stack-digest-salt";
const STACK_KEY = Buffer.alloc(32, 3).toString("base64url");
const urnOf = (name: string) => `urn:pulumi:dev::kms-app::pulumi-nodejs:dynamic/alicloud-kms:EncryptedValue::${name}`;
const registered = new Map<string, { type: string; inputs: Props; provider?: string }>();

before(async () => {
  // Stack config as the CLI hands it to a program: the app's own secret and the provider's settings.
  pulumi.runtime.setAllConfig(
    {
      "kms-app:dbPassword": "config-secret-value",
      "alicloud-kms:region": "cn-hangzhou",
      "alicloud:profile": "ci",
      "aws:region": "us-east-1",
      "alicloud:secretKey": "config-access-key-secret",
    },
    ["kms-app:dbPassword", "alicloud:secretKey"],
  );
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        const provider = args.provider ? { provider: args.provider } : {};
        registered.set(args.name, { type: args.type, inputs: args.inputs, ...provider });
        if (args.type === "pulumi-nodejs:dynamic/alicloud-kms:DigestSalt") return { id: "salt-id", state: { salt: STACK_SALT } };
        // As the engine hands it back: a secret.
        if (args.type === "pulumi-nodejs:dynamic/alicloud-kms:IntegrityKey") return { id: "key-id", state: { key: { ...SECRET, value: STACK_KEY } } };
        if (args.type === "alicloud:kms/key:Key") return { id: "key-from-alicloud", state: { ...args.inputs, arn: "acs:kms:cn-hangzhou:1:key/key-from-alicloud" } };
        if (args.type === "pulumi-nodejs:dynamic/alicloud-kms:EncryptedValue") {
          return {
            id: `${args.name}-id`,
            state: { ciphertextBlob: `ciphertext-of-${args.name}`, keyId: args.inputs.keyId, keyVersionId: "v1", algorithm: "RSAES_OAEP_SHA_256", keySpec: "RSA_2048" },
          };
        }
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: () => ({}),
    },
    "kms-app",
    "dev",
    true,
    "acme",
  );
});

function program() {
  const key = new alicloud.kms.Key("app-key", { keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT", description: "app secrets" });
  const db = new EncryptedValue("db-password", { plaintext: "hunter2-from-config", keyId: key.id, algorithm: "RSAES_OAEP_SHA_256" });
  const parameter = new alicloud.oos.Parameter("db-password-ciphertext", {
    parameterName: "app/db-password",
    type: "String",
    value: db.ciphertextBlob,
  });
  return { key, db, parameter };
}

const value = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));

describe("a program using EncryptedValue with @pulumi/alicloud (mocks)", () => {
  it("registers the EncryptedValue under its own type token, keyId from the kms.Key", async () => {
    const { db } = program();
    await value(db.ciphertextBlob);
    const ev = registered.get("db-password")!;
    assert.equal(ev.type, "pulumi-nodejs:dynamic/alicloud-kms:EncryptedValue");
    assert.equal(ev.inputs.keyId, "key-from-alicloud");
    assert.equal(ev.inputs.algorithm, "RSAES_OAEP_SHA_256");
    // Written out, not closure-serialized: a package name and nothing that could capture a value.
    assert.equal(ev.inputs.__provider,
      "exports.handler = () => require(\"pulumi-alicloud-kms-encrypted/provider\").encryptedValueProvider;\n");
  });

  it("sends the plaintext's digest, as a secret, salted with the stack's digest salt and the value's URN", async () => {
    const { db } = program();
    await value(db.ciphertextBlob);
    assert.deepEqual(registered.get("db-password")!.inputs.plaintextDigest,
      { ...SECRET, value: await digestWithSalt(Buffer.from("hunter2-from-config"), saltFor(STACK_SALT, urnOf("db-password"))) });
    assert.equal(registered.get("db-password")!.inputs.valueUrn, urnOf("db-password"));
    const binary = new EncryptedValue("binary", { plaintextBase64: Buffer.from([0, 1, 255]).toString("base64"), keyId: "k" });
    await value(binary.ciphertextBlob);
    assert.deepEqual(registered.get("binary")!.inputs.plaintextDigest,
      { ...SECRET, value: await digestWithSalt(Buffer.from([0, 1, 255]), saltFor(STACK_SALT, urnOf("binary"))) });
    const triggered = new EncryptedValue("triggered", { plaintext: "x", keyId: "k", changeDetection: "trigger", trigger: "1" });
    await value(triggered.ciphertextBlob);
    const sent = registered.get("triggered")!.inputs.plaintextDigest as { value?: unknown } | undefined;
    assert.equal(sent?.value ?? undefined, undefined, "trigger mode: no digest at all");
  });

  it("one DigestSalt per deployment, on the package's own provider; a value under a component has its own URN", async () => {
    class Component extends pulumi.ComponentResource {
      constructor(name: string) {
        super("my:app:Component", name);
      }
    }
    const parent = new Component("group");
    const child = new EncryptedValue("db-password", { plaintext: "hunter2-from-config", keyId: "k" }, { parent });
    await value(child.ciphertextBlob);
    const urn = "urn:pulumi:dev::kms-app::my:app:Component$pulumi-nodejs:dynamic/alicloud-kms:EncryptedValue::db-password";
    const sent = [...registered.values()].find((r) => r.inputs.valueUrn === urn);
    assert.ok(sent, "registered with the component in its URN");
    assert.deepEqual(sent.inputs.plaintextDigest, { ...SECRET, value: await digestWithSalt(Buffer.from("hunter2-from-config"), saltFor(STACK_SALT, urn)) });
    const salt = registered.get("alicloud-kms-encrypted-digest-salt")!;
    assert.equal(salt.type, "pulumi-nodejs:dynamic/alicloud-kms:DigestSalt");
    assert.match(String(salt.provider), /::pulumi:providers:pulumi-nodejs::alicloud-kms-encrypted::/);
    const key = registered.get("alicloud-kms-encrypted-integrity-key")!;
    assert.equal(key.type, "pulumi-nodejs:dynamic/alicloud-kms:IntegrityKey");
    assert.match(String(key.provider), /::pulumi:providers:pulumi-nodejs::alicloud-kms-encrypted::/);
    assert.deepEqual(sent.inputs.stackIntegrityKey, { ...SECRET, value: STACK_KEY }, "the stack's integrity key is sent as a secret");
  });

  it("runs on its own pulumi-nodejs provider, configured with the provider's settings and no other config", async () => {
    const { db } = program();
    await value(db.ciphertextBlob);
    const provider = registered.get("alicloud-kms-encrypted")!;
    assert.equal(provider.type, "pulumi:providers:pulumi-nodejs");
    // The credential from stack config is passed as a secret (and a warning says so); nothing else is.
    assert.deepEqual(provider.inputs, {
      "alicloud-kms:region": "cn-hangzhou",
      "alicloud:profile": "ci",
      "alicloud:secretKey": { ...SECRET, value: "config-access-key-secret" },
    });
    assert.match(String(registered.get("db-password")!.provider), /::pulumi:providers:pulumi-nodejs::alicloud-kms-encrypted::/);
  });

  it("sends the plaintext as a secret even when the program passed a plain string", async () => {
    const { db } = program();
    await value(db.ciphertextBlob);
    assert.deepEqual(registered.get("db-password")!.inputs.plaintext, { ...SECRET, value: "hunter2-from-config" });
  });

  it("keeps the plaintext off the resource object: nothing of it can be exported", async () => {
    const { db } = program();
    await value(db.ciphertextBlob);
    for (const name of ["plaintext", "plaintextBase64", "plaintextDigest", "valueUrn", "trigger", "encryptLocally"]) {
      assert.equal(name in db, false, `${name} is not a property of the resource`);
    }
    // What `export const db = …` serializes: every own enumerable property not starting with "__".
    const exported = Object.keys(db).filter((k) => !k.startsWith("__") && pulumi.Output.isInstance((db as unknown as Record<string, unknown>)[k]));
    assert.deepEqual(exported.sort(), ["algorithm", "certificateId", "changeDetection", "ciphertextBlob", "encryptionContext", "envelope", "envelopeFormat", "id", "keyId",
      "keySpec", "keyVersionId", "kmsInstanceId", "plaintextEncoding", "plaintextRevision", "recipients", "region", "staleReason", "urn"]);
  });

  it("hands the ciphertext, a plain output, to another alicloud resource", async () => {
    const { db, parameter } = program();
    assert.equal(await value(parameter.value), "ciphertext-of-db-password");
    assert.equal(registered.get("db-password-ciphertext")!.inputs.value, "ciphertext-of-db-password");
    assert.equal(await pulumi.isSecret(db.ciphertextBlob), false);
    assert.equal(await value(db.keyVersionId), "v1");
  });
});
