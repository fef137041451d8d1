import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { readEnvelope, hasRecipients } from "../../provider/crypto/any-envelope";
import { parseEnvelope } from "../../provider/crypto/envelope-format";
import { decryptRecipients, NoRecipientOpenedError, type RecipientFailure } from "../../provider/crypto/decrypt-value";
import { dataKeyForKms, encryptForRecipients, type EncryptionTarget } from "../../provider/crypto/encrypt-value";
import { newDataKey, sealWithDataKey, tagDataKey } from "../../provider/crypto/data-key-cipher";
import {
  commitmentOf, encryptionKeyOf, formatRecipientsEnvelope, type Recipient, type RecipientsEnvelope, recipientsAad,
} from "../../provider/crypto/recipients-envelope";
import { KmsCallError } from "../../provider/kms/kms-call-error";
import { KmsServices } from "../../provider/kms/kms-services";
import { resolveSettings } from "../../provider/kms/settings";
import { type KmsEmulator, startKmsEmulator } from "../kms-emulator";
import { call, officialClient } from "../support/kms-client";
import { ACCESS_KEY } from "./fixtures";

// Envelope format v3 against two regions of the emulator (one emulator per region, reached through
// alicloud-kms:endpoint and alicloud-kms:endpoints): one data key wrapped by an RSA key in
// cn-hangzhou, a symmetric key with a context in cn-shanghai and a certificate; any recipient opens
// it, a failing one does not stop the others, and the envelope commits to its data key, so no
// creator can make it open to different plaintexts for different recipients.

const keyOf = (o: Record<string, unknown>) => String((o.KeyMetadata as Record<string, unknown>).PrimaryKeyVersion);

describe("envelopes of several recipients (format v3)", () => {
  let hangzhou: KmsEmulator;
  let shanghai: KmsEmulator;
  let services: KmsServices;
  let targets: EncryptionTarget[];
  const describeFailure = (f: RecipientFailure) => (f.error instanceof KmsCallError ? f.error.code : String(f.error));
  const decryptorFor = (region: string) => services.decryptorIn(region);

  before(async () => {
    const accessKeys = [ACCESS_KEY];
    hangzhou = await startKmsEmulator({ region: "cn-hangzhou", seed: {
      accessKeys, keys: [{ keyId: "key-hz", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT" }], certificates: [{ certificateId: "cert-hz", keySpec: "RSA_2048" }],
    } });
    shanghai = await startKmsEmulator({ region: "cn-shanghai", seed: {
      accessKeys, keys: [{ keyId: "key-sh", keySpec: "Aliyun_AES_256", keyUsage: "ENCRYPT/DECRYPT" }], certificates: [],
    } });
    const settings = resolveSettings((key) => ({
      "alicloud-kms:endpoint": hangzhou.endpoint,
      "alicloud-kms:endpoints": JSON.stringify({ "cn-shanghai": shanghai.endpoint }),
      "alicloud-kms:region": "cn-hangzhou",
    } as Record<string, string>)[key], {
      ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY.accessKeySecret,
    });
    assert.deepEqual(settings.problems, []);
    services = new KmsServices(settings);
    const hzVersion = keyOf(await call(officialClient(hangzhou), "DescribeKey", { KeyId: "key-hz" }));
    const shVersion = keyOf(await call(officialClient(shanghai), "DescribeKey", { KeyId: "key-sh" }));
    targets = [
      { target: { keyId: "key-hz", keyVersionId: hzVersion }, algorithm: "RSAES_OAEP_SHA_256", region: "cn-hangzhou" },
      { target: { keyId: "key-sh", keyVersionId: shVersion, encryptionContext: { app: "dr" } }, algorithm: "SYMMETRIC_DEFAULT", region: "cn-shanghai" },
      { target: { certificateId: "cert-hz" }, algorithm: "RSAES_OAEP_SHA_1", region: "cn-hangzhou" },
    ];
  });
  after(async () => {
    await hangzhou.close();
    await shanghai.close();
  });

  const seal = async (plaintext: string) =>
    encryptForRecipients((t) => services.in(t.region), targets, Buffer.from(plaintext));

  let e3: RecipientsEnvelope;
  it("each recipient's own region's KMS wraps the data key, and each recipient alone opens the value", async () => {
    hangzhou.resetStats();
    shanghai.resetStats();
    e3 = await seal("disaster recovery");
    const text = formatRecipientsEnvelope(e3);
    assert.equal(hangzhou.stats().calls.AsymmetricEncrypt, 1);
    assert.equal(hangzhou.stats().calls.CertificatePublicKeyEncrypt, 1);
    assert.equal(shanghai.stats().calls.Encrypt, 1);
    const e = readEnvelope(text);
    assert.ok(hasRecipients(e));
    for (const r of e.recipients) {
      const opened = await decryptRecipients(decryptorFor, e, [r], describeFailure);
      assert.equal(opened.plaintext.toString(), "disaster recovery");
      assert.equal(opened.openedBy, r);
    }
  });

  it("a recipient that fails (disabled key, region down) does not stop the next; all failing names each", async () => {
    const e = readEnvelope(formatRecipientsEnvelope(await seal("failover"))) as RecipientsEnvelope;
    await call(officialClient(hangzhou), "DisableKey", { KeyId: "key-hz" });
    try {
      const opened = await decryptRecipients(decryptorFor, e, e.recipients, describeFailure);
      assert.equal(opened.plaintext.toString(), "failover");
      assert.equal(opened.openedBy.keyId, "key-sh");
      assert.deepEqual(opened.failures.map((f) => [f.recipient.keyId, describeFailure(f)]), [["key-hz", "Rejected.Disabled"]]);
      await call(officialClient(shanghai), "DisableKey", { KeyId: "key-sh" });
      const both = decryptRecipients(decryptorFor, e, e.recipients.slice(0, 2), describeFailure);
      await assert.rejects(both, (err: NoRecipientOpenedError) =>
        err instanceof NoRecipientOpenedError
        && err.message === "no recipient could open the envelope: key key-hz in cn-hangzhou: Rejected.Disabled; key key-sh in cn-shanghai: Rejected.Disabled");
    } finally {
      await call(officialClient(hangzhou), "EnableKey", { KeyId: "key-hz" });
      await call(officialClient(shanghai), "EnableKey", { KeyId: "key-sh" });
    }
  });

  it("a region that does not answer does not stop the next recipient", async () => {
    const e = readEnvelope(formatRecipientsEnvelope(await seal("region down"))) as RecipientsEnvelope;
    // cn-shanghai's endpoint is a port nothing listens on: the region is unreachable.
    const down = new KmsServices(resolveSettings((key) => ({
      "alicloud-kms:endpoint": hangzhou.endpoint,
      "alicloud-kms:endpoints": JSON.stringify({ "cn-shanghai": "http://127.0.0.1:1" }),
      "alicloud-kms:region": "cn-hangzhou",
    } as Record<string, string>)[key], {
      ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY.accessKeySecret,
    }));
    const [hz, sh] = e.recipients as [Recipient, Recipient];
    const opened = await decryptRecipients((region) => down.decryptorIn(region), e, [sh, hz], describeFailure);
    assert.equal(opened.plaintext.toString(), "region down");
    assert.equal(opened.openedBy, hz);
    assert.deepEqual(opened.failures.map((f) => f.recipient.keyId), ["key-sh"]);
    assert.ok(opened.failures[0]!.error instanceof KmsCallError, "the unreachable region is a KMS call failure");
  });

  it("a recipient altered, removed, added or reordered fails the tag; an altered context is refused by KMS", async () => {
    const e = readEnvelope(formatRecipientsEnvelope(await seal("bound header"))) as RecipientsEnvelope;
    const [hz, sh, cert] = e.recipients as [Recipient, Recipient, Recipient];
    const variants: Recipient[][] = [[hz, sh], [sh, hz, cert], [hz, sh, cert, { ...hz }]];
    for (const recipients of variants) {
      const altered = readEnvelope(formatRecipientsEnvelope({ ...e, recipients })) as RecipientsEnvelope;
      await assert.rejects(decryptRecipients(decryptorFor, altered, [altered.recipients[0]!], describeFailure),
        /the AES-256-GCM tag does not verify: the ciphertext, IV, tag or a recipient was altered, added, removed or reordered/);
    }
    const otherContext = { ...sh, encryptionContext: { app: "not-dr" } } as Recipient;
    const withOtherContext = { ...e, recipients: [hz, otherContext, cert] };
    const refused = await decryptRecipients(decryptorFor, withOtherContext, [otherContext], describeFailure)
      .catch((x: unknown) => x);
    assert.ok(refused instanceof NoRecipientOpenedError);
    assert.match(refused.message, /key key-sh in cn-shanghai: InvalidCiphertext/);
    // Another envelope's wrapped data key for the same key: it opens, to a key this one does not commit to.
    const other = readEnvelope(formatRecipientsEnvelope(await seal("another value"))) as RecipientsEnvelope;
    const swapped = { ...hz, encryptedDataKey: other.recipients[0]!.encryptedDataKey };
    await assert.rejects(decryptRecipients(decryptorFor, { ...e, recipients: [swapped, sh, cert] }, [swapped], describeFailure),
      /key key-hz in cn-hangzhou opens to another data key than the envelope commits to/);
  });

  it("key commitment: an envelope whose recipients wrap different data keys is refused, whichever opens it", async () => {
    // A creator who knows both keys builds an envelope that authenticates under K1 but wraps K2 for
    // the second recipient: without the commitment, that recipient would open a different plaintext.
    const k1 = newDataKey();
    const k2 = newDataKey();
    const [hzTarget, shTarget] = targets as [EncryptionTarget, EncryptionTarget];
    const wrap = async (t: EncryptionTarget, k: Buffer) => {
      const kms = services.in(t.region);
      const { keyId, keyVersionId, encryptionContext } = t.target;
      const wrapped = dataKeyForKms(t.algorithm, tagDataKey(k));
      const c = await kms.encrypt(keyId!, keyVersionId!, t.algorithm, wrapped, encryptionContext);
      return { ...t.target, algorithm: t.algorithm, region: t.region, encryptedDataKey: c.ciphertextBlob } as Recipient;
    };
    const recipients = [await wrap(hzTarget, k1), await wrap(shTarget, k2)];
    const header = { recipients, cipher: "AES_256_GCM" as const, commitment: commitmentOf(k1) };
    const forged: RecipientsEnvelope = { version: 3, ...header, ...sealWithDataKey(encryptionKeyOf(k1), Buffer.from("one"), recipientsAad(header)) };
    assert.equal((await decryptRecipients(decryptorFor, forged, [recipients[0]!], describeFailure)).plaintext.toString(), "one");
    await assert.rejects(decryptRecipients(decryptorFor, forged, [recipients[1]!], describeFailure),
      /key key-sh in cn-shanghai opens to another data key than the envelope commits to/);
  });

  it("a v3 envelope is refused where one key or certificate is expected, and malformed recipients are named", async () => {
    assert.throws(() => parseEnvelope(formatRecipientsEnvelope(e3)), /is an envelope of several recipients \(version 3\), where one key or certificate is expected/);
    const bad = (json: Record<string, unknown>) => () => readEnvelope(Buffer.from(JSON.stringify({ v: 3, cipher: "AES_256_GCM", ...json })).toString("base64"));
    assert.throws(bad({ recipients: [] }), /recipients must be a list of 1 to 8/);
    assert.throws(bad({ recipients: [{ keyId: "k", keyVersionId: "v", algorithm: "RSAES_OAEP_SHA_256", region: "evil.example/x", encryptedDataKey: "AA==" }] }),
      /recipients\[0\]: region 'evil.example\/x' is not a region ID/);
    assert.throws(bad({ recipients: [{ certificateId: "c", algorithm: "SM2PKE", region: "cn-hangzhou", encryptedDataKey: "AA==", encryptionContext: { a: "b" } }] }),
      /recipients\[0\]: has an encryptionContext, which only a symmetric key/);
  });
});
