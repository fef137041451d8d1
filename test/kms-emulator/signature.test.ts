import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import * as $Kms from "@alicloud/kms20160120";
import OpenApi, * as $OpenApi from "@alicloud/openapi-client";
import { RuntimeOptions } from "@alicloud/tea-util";
import { officialClient, rejection } from "../support/kms-client";
import { type KmsEmulator, startKmsEmulator } from "./index";
import type { KmsError } from "./errors";
import { Authenticator, type SignedRequest } from "./protocol/authenticate";
import { signV1 } from "./protocol/signature-v1";
import { canonicalRequestV3, sha256Hex, signV3, V3_ALGORITHM } from "./protocol/signature-v3";

// Signature v1 against the kms-api.md test vector; v3 (ACS3-HMAC-SHA256) against the official
// @alicloud/openapi-client signer; and every authentication failure with its real error.

describe("signature v1 test vector", () => {
  const params = {
    AccessKeyId: "testid",
    Action: "CreateKey",
    Format: "json",
    SignatureMethod: "HMAC-SHA1",
    SignatureVersion: "1.0",
    Timestamp: "2016-03-28T03:13:08Z",
    Version: "2016-01-20",
  };
  it("GET and POST", () => {
    assert.equal(signV1("GET", params, "testsecret"), "41wk2SSX1GJh7fwnc5eqOfiJPFg=");
    assert.equal(signV1("POST", params, "testsecret"), "Fi0klWyYLE4Wy22gxatiAP51JFE=");
  });
});

describe("authentication", () => {
  let emulator: KmsEmulator;
  const sts = { accessKeyId: "STS.test", accessKeySecret: "sts-secret", securityToken: "token-123" };

  before(async () => {
    emulator = await startKmsEmulator({
      seed: {
        accessKeys: [{ accessKeyId: "LTAIauth", accessKeySecret: "auth-secret" }, sts],
        keys: [{ keyId: "key-auth", keySpec: "RSA_2048", keyUsage: "ENCRYPT/DECRYPT" }],
        certificates: [],
      },
    });
  });
  after(() => emulator.close());

  const describeKey = (client = officialClient(emulator)) =>
    client.describeKey(new $Kms.DescribeKeyRequest({ keyId: "key-auth" }));

  /** DescribeKey parameters signed with v1 here, so that timestamp and nonce can be set at will. */
  function signedV1Params(overrides: Record<string, string>, secret = "auth-secret"): Record<string, string> {
    const params: Record<string, string> = {
      Action: "DescribeKey",
      Format: "json",
      Version: "2016-01-20",
      KeyId: "key-auth",
      AccessKeyId: "LTAIauth",
      SignatureMethod: "HMAC-SHA1",
      SignatureVersion: "1.0",
      SignatureNonce: randomUUID(),
      Timestamp: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      ...overrides,
    };
    params.Signature = signV1("POST", params, secret);
    return params;
  }

  async function signedV1(overrides: Record<string, string>, secret = "auth-secret") {
    const params = signedV1Params(overrides, secret);
    const response = await fetch(`${emulator.endpoint}/?${new URLSearchParams(params)}`, { method: "POST" });
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  }

  it("the official v1 client is accepted, in the query and in a form body", async () => {
    assert.equal((await describeKey()).keyMetadata.keyId, "key-auth");
    const params = signedV1Params({});
    const response = await fetch(emulator.endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(params).toString(),
    });
    assert.equal(response.status, 200);
  });

  it("unknown AccessKeyId → 404 InvalidAccessKeyId.NotFound", async () => {
    const e = await rejection(describeKey(officialClient(emulator, { accessKeyId: "LTAInobody" })));
    assert.equal(e.code, "InvalidAccessKeyId.NotFoundError");
    assert.match(e.message, /code: 404/);
  });

  it("wrong secret → 400 SignatureDoesNotMatch, and the secret is in no answer", async () => {
    const e = await rejection(describeKey(officialClient(emulator, { accessKeySecret: "wrong" })));
    assert.equal(e.code, "SignatureDoesNotMatchError");
    assert.match(
      e.message,
      /code: 400, Specified signature is not matched with our calculation\. server string to sign is:POST&%2F&/,
    );
    assert.doesNotMatch(JSON.stringify(e.data), /auth-secret/);
  });

  it("stale, future, malformed and missing timestamps are refused", async () => {
    const stale = new Date(Date.now() - 16 * 60 * 1000).toISOString().replace(/\.\d+Z$/, "Z");
    const future = new Date(Date.now() + 16 * 60 * 1000).toISOString().replace(/\.\d+Z$/, "Z");
    assert.deepEqual(await signedV1({ Timestamp: stale }).then((r) => [r.status, r.body.Code]), [
      400,
      "InvalidTimeStamp.Expired",
    ]);
    assert.deepEqual(await signedV1({ Timestamp: future }).then((r) => [r.status, r.body.Code]), [
      400,
      "InvalidTimeStamp.Expired",
    ]);
    assert.deepEqual(await signedV1({ Timestamp: "28/03/2016" }).then((r) => [r.status, r.body.Code]), [
      400,
      "InvalidTimeStamp.Format",
    ]);
    assert.deepEqual(await signedV1({ Timestamp: "" }).then((r) => [r.status, r.body.Code]), [
      400,
      "IllegalTimestamp",
    ]);
    // Fourteen minutes is inside the window.
    const recent = new Date(Date.now() - 14 * 60 * 1000).toISOString().replace(/\.\d+Z$/, "Z");
    assert.equal((await signedV1({ Timestamp: recent })).status, 200);
  });

  it("a replayed nonce → 400 SignatureNonceUsed", async () => {
    const nonce = randomUUID();
    assert.equal((await signedV1({ SignatureNonce: nonce })).status, 200);
    const replay = await signedV1({ SignatureNonce: nonce });
    assert.deepEqual([replay.status, replay.body.Code], [400, "SignatureNonceUsed"]);
  });

  it("every error body is JSON with RequestId, HostId, HttpStatus, Code, Message, Recommend", async () => {
    const { body } = await signedV1({}, "wrong");
    assert.deepEqual(Object.keys(body).sort(), ["Code", "HostId", "HttpStatus", "Message", "Recommend", "RequestId"]);
    const raw = await fetch(`${emulator.endpoint}/?Action=DescribeKey`, { method: "POST" });
    assert.equal(raw.headers.get("content-type"), "application/json;charset=utf-8");
    assert.equal(((await raw.json()) as { Code: string }).Code, "MissingParameter");
  });

  it("STS: the listed SecurityToken is required and must match", async () => {
    assert.equal((await describeKey(officialClient(emulator, sts))).keyMetadata.keyId, "key-auth");
    const missing = await rejection(describeKey(officialClient(emulator, { ...sts, securityToken: "" })));
    assert.equal(missing.code, "InvalidSecurityToken.MissingError");
    const wrong = await rejection(
      describeKey(officialClient(emulator, { ...sts, securityToken: "token-999" })),
    );
    assert.equal(wrong.code, "InvalidSecurityToken.MismatchWithAccessKeyError");
  });

  describe("signature v3 (ACS3-HMAC-SHA256) through the official openapi-client", () => {
    const v3Client = (credentials: {
      accessKeyId: string;
      accessKeySecret: string;
      securityToken?: string;
    }) =>
      new OpenApi(
        new $OpenApi.Config({
          ...credentials,
          endpoint: emulator.host,
          protocol: "http",
          regionId: "cn-hangzhou",
        }),
      );
    const rpc = {
      action: "DescribeKey",
      version: "2016-01-20",
      protocol: "HTTP",
      pathname: "/",
      method: "POST",
      authType: "AK",
      style: "RPC",
      reqBodyType: "formData",
      bodyType: "json",
    };

    it("is accepted with parameters in the query and in the form body; STS too", async () => {
      const client = v3Client({ accessKeyId: "LTAIauth", accessKeySecret: "auth-secret" });
      const inQuery = await client.callApi(
        new $OpenApi.Params(rpc),
        new $OpenApi.OpenApiRequest({ query: { KeyId: "key-auth" } }),
        new RuntimeOptions({}),
      );
      assert.equal(inQuery.statusCode, 200);
      assert.equal(inQuery.body.KeyMetadata.KeyId, "key-auth");
      const inBody = await client.callApi(
        new $OpenApi.Params(rpc),
        new $OpenApi.OpenApiRequest({ body: { KeyId: "key-auth" } }),
        new RuntimeOptions({}),
      );
      assert.equal(inBody.body.KeyMetadata.KeyId, "key-auth");
      const viaSts = await v3Client(sts).callApi(
        new $OpenApi.Params(rpc),
        new $OpenApi.OpenApiRequest({ query: { KeyId: "key-auth" } }),
        new RuntimeOptions({}),
      );
      assert.equal(viaSts.body.KeyMetadata.KeyId, "key-auth");
    });

    it("a wrong secret is refused with SignatureDoesNotMatch", async () => {
      const client = v3Client({ accessKeyId: "LTAIauth", accessKeySecret: "wrong" });
      const e = await rejection(
        client.callApi(
          new $OpenApi.Params(rpc),
          new $OpenApi.OpenApiRequest({ query: { KeyId: "key-auth" } }),
          new RuntimeOptions({}),
        ),
      );
      assert.equal(e.code, "SignatureDoesNotMatch");
    });
  });
});

describe("replay protection (the Authenticator on its own clock)", () => {
  const accessKey = { accessKeyId: "LTAIclock", accessKeySecret: "clock-secret" };
  const stamp = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
  const t0 = Date.parse("2026-11-26T12:00:00Z");
  let clock = t0;
  const authenticator = () => new Authenticator(new Map([[accessKey.accessKeyId, accessKey]]), () => clock);

  function v1Request(timestamp: number, nonce: string): SignedRequest {
    const params: Record<string, string> = {
      Action: "DescribeKey", Format: "json", Version: "2016-01-20", KeyId: "k", AccessKeyId: accessKey.accessKeyId,
      SignatureMethod: "HMAC-SHA1", SignatureVersion: "1.0", SignatureNonce: nonce, Timestamp: stamp(timestamp),
    };
    params.Signature = signV1("POST", params, accessKey.accessKeySecret);
    return { method: "POST", path: "/", query: params, params, headers: {}, body: Buffer.alloc(0) };
  }

  it("a request stamped 14 minutes ahead cannot be replayed once its nonce would have been forgotten", () => {
    const auth = authenticator();
    clock = t0;
    const ahead = v1Request(t0 + 14 * 60_000, "nonce-ahead");
    auth.authenticate(ahead);
    // 16 minutes on, the timestamp (2 minutes past) is still acceptable: so must the nonce still be remembered.
    clock = t0 + 16 * 60_000;
    assert.throws(() => auth.authenticate(ahead), (e: KmsError) => e.code === "SignatureNonceUsed");
    // Once the timestamp itself has expired, the request is refused for that instead.
    clock = t0 + 30 * 60_000;
    assert.throws(() => auth.authenticate(ahead), (e: KmsError) => e.code === "InvalidTimeStamp.Expired");
  });

  function v3Request(signed: string[], action = "DescribeKey"): SignedRequest {
    const headers: Record<string, string> = {
      host: "kms.cn-hangzhou.aliyuncs.com", "x-acs-action": action, "x-acs-version": "2016-01-20", "x-acs-date": stamp(clock),
      "x-acs-signature-nonce": randomUUID(), "x-acs-content-sha256": sha256Hex(""),
    };
    const query = { KeyId: "k" };
    const canonical = canonicalRequestV3("POST", "/", query, headers, signed, sha256Hex(""));
    headers.authorization = `${V3_ALGORITHM} Credential=${accessKey.accessKeyId},SignedHeaders=${signed.join(";")},Signature=${signV3(canonical, accessKey.accessKeySecret)}`;
    return { method: "POST", path: "/", query, params: query, headers, body: Buffer.alloc(0) };
  }
  const allSigned = ["host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"];

  it("signature v3 must sign x-acs-action and x-acs-version, which name the operation", () => {
    clock = t0;
    const auth = authenticator();
    assert.equal(auth.authenticate(v3Request(allSigned)).signature, "ACS3-HMAC-SHA256");
    for (const unsigned of ["x-acs-action", "x-acs-version"]) {
      assert.throws(() => auth.authenticate(v3Request(allSigned.filter((h) => h !== unsigned))),
        (e: KmsError) => e.code === "InvalidParameter" && e.message.includes(`"${unsigned}" must be signed`));
    }
    const swapped = v3Request(allSigned);
    swapped.headers["x-acs-action"] = "ScheduleKeyDeletion";
    assert.throws(() => auth.authenticate(swapped), (e: KmsError) => e.code === "SignatureDoesNotMatch");
  });
});
