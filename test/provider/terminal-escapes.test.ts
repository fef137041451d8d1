import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { reencryptionReasons } from "../../provider/engine/target-state";

// What state says reaches a person's terminal in `pulumi preview` (the reasons a value will be
// re-encrypted). Whoever can write the backend chooses it: escape sequences (ESC, CSI, OSC-8
// links, BEL, carriage returns) edited into any field must reach the terminal escaped, never raw.

const hostile = [
  "\u001b[2K\u001b[1Agone", // erase the line, move up
  "\u001b]8;;https://evil.example/\u0007click\u001b]8;;\u0007", // OSC-8 link
  "ok\rrewritten", // carriage return
  "\u009b31mC1 CSI", // 8-bit CSI
];
const raw = /[\u0000-\u001f\u007f-\u009f]/;

describe("state-derived values in the preview's reasons", () => {
  const news = {
    keyId: "key-new", keyVersionId: "v-new", certificateId: "", algorithm: "RSAES_OAEP_SHA_256", region: "cn-hangzhou",
    changeDetection: "digest", plaintextRevision: 2, envelopeFormat: "native", encryptionContext: {},
  };
  for (const value of hostile) {
    it(`escapes ${JSON.stringify(value)} in every field it can be written into`, () => {
      for (const field of ["keyId", "keyVersionId", "algorithm", "changeDetection", "envelopeFormat", "staleReason"]) {
        const olds = { ...news, [field]: value };
        const reasons = reencryptionReasons(olds, news, undefined, () => []).join("; ");
        assert.ok(reasons.length > 0, `${field}: a reason is given`);
        assert.doesNotMatch(reasons, raw, `${field}: ${JSON.stringify(reasons)}`);
      }
      const recipients = (keyVersionId: string) => [
        { keyId: "key-a", keyVersionId: "v1", certificateId: "", algorithm: "RSAES_OAEP_SHA_256", region: "cn-hangzhou", encryptionContext: {} },
        { keyId: "key-b", keyVersionId, certificateId: "", algorithm: "RSAES_OAEP_SHA_256", region: "cn-shanghai", encryptionContext: {} },
      ];
      const reasons = reencryptionReasons({ ...news, recipients: recipients(value) }, { ...news, recipients: recipients("v2") }, undefined, () => []);
      assert.match(reasons.join("; "), /recipients\[1\] .*the key version changed/);
      assert.doesNotMatch(reasons.join("; "), raw);
    });
  }
  it("values of their own shape are shown as they are", () => {
    const reasons = reencryptionReasons({ ...news, keyId: "key-old" }, news, undefined, () => []);
    assert.deepEqual(reasons, ["the key changed (key-old → key-new)"]);
  });
});
