import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { envelopeOfOutputs } from "../../provider/toolkit";
import { docBlock } from "../support/doc-blocks";
import { applicationEnv } from "../support/application-env";
import { builtGoProgram, runJsonLines } from "../support/go-build";
import { call, officialClient } from "../support/kms-client";
import { compileAndRun } from "../support/java-build";
import { readersPython, runPython } from "../support/python-env";
import { ACCESS_KEY, deploy, type Deployment } from "../provider/fixtures";

// docs/readers.md's "Opening each output from Python, Go and Java": its Python, Go and Java blocks,
// exactly as they stand, run against the emulator on what the provider wrote (a bare symmetric
// ciphertext, a bare asymmetric one, native envelopes of both kinds, direct and envelope-encrypted,
// and an Encryption SDK message; the Java block opens the two bare ones), and must return each
// secret. A harness beside each block calls its functions; the Encryption SDK's client is pointed
// at the emulator (local_transport.py); the Java block is compiled with javac against the classpath
// Maven resolves for com.aliyun:kms20160120 (test/support/java-build.ts).

type Props = Record<string, unknown>;
const repo = resolve(__dirname, "../..");

const readmeBlock = (language: "python" | "go" | "java") => (language === "python" ? docBlock("docs/readers.md", "readers-python")
  : language === "go" ? docBlock("docs/readers.md", "readers-go") : docBlock("docs/readers.md", "readers-java")).code;

/** Calls the Java block's methods on the request (JSON on stdin, read with Gson, which the SDK depends on). */
const JAVA_HARNESS = `
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

public class Main {
    public static void main(String[] args) throws Exception {
        JsonObject request = new Gson().fromJson(new InputStreamReader(System.in, StandardCharsets.UTF_8), JsonObject.class);
        JsonObject s = request.getAsJsonObject("symmetric");
        JsonObject a = request.getAsJsonObject("asymmetric");
        Map<String, String> context = new LinkedHashMap<>();
        s.getAsJsonObject("context").entrySet().forEach((e) -> context.put(e.getKey(), e.getValue().getAsString()));
        var kms = Readers.newKmsClient();
        Map<String, String> answer = new LinkedHashMap<>();
        answer.put("symmetric", Readers.openSymmetric(kms, s.get("blob").getAsString(), context));
        answer.put("asymmetric", Base64.getEncoder().encodeToString(Readers.openAsymmetric(kms, a.get("blob").getAsString(),
            a.get("keyId").getAsString(), a.get("keyVersionId").getAsString(), a.get("algorithm").getAsString())));
        System.out.println(new Gson().toJson(answer));
    }
}
`;

const PYTHON_HARNESS = `
import json, sys, base64
sys.path.insert(0, ${JSON.stringify(join(repo, "test/official-sdks/python"))})
import local_transport
request = json.load(sys.stdin)
local_transport.ENDPOINTS.update(request["endpoints"])
exec(open(sys.argv[1]).read())
b64 = lambda b: base64.b64encode(b).decode()
s, a = request["symmetric"], request["asymmetric"]
json.dump({
  "symmetric": open_symmetric(s["blob"], s["context"]),
  "asymmetric": b64(open_asymmetric(a["blob"], a["keyId"], a["keyVersionId"], a["algorithm"])),
  "envelopes": [b64(open_envelope(e)) for e in request["envelopes"]],
  "sdk": b64(open_encryption_sdk_message(request["sdkMessage"], request["arns"])),
}, sys.stdout)
`;

const GO_HARNESS = `package main

import (
  "encoding/base64"
  "encoding/json"
  "os"
)

func main() {
  var request struct {
    Symmetric struct {
      Blob    string
      Context map[string]string
    }
    Asymmetric struct{ Blob, KeyID, KeyVersionID, Algorithm string }
    Envelopes  []string
  }
  fail := func(err error) {
    _ = json.NewEncoder(os.Stdout).Encode(map[string]string{"error": err.Error()})
    os.Exit(0)
  }
  if err := json.NewDecoder(os.Stdin).Decode(&request); err != nil {
    fail(err)
  }
  c, err := newKmsClient()
  if err != nil {
    fail(err)
  }
  symmetric, err := openSymmetric(c, request.Symmetric.Blob, request.Symmetric.Context)
  if err != nil {
    fail(err)
  }
  a := request.Asymmetric
  asymmetric, err := openAsymmetric(c, a.Blob, a.KeyID, a.KeyVersionID, a.Algorithm)
  if err != nil {
    fail(err)
  }
  envelopes := []string{}
  for _, e := range request.Envelopes {
    opened, err := openEnvelope(c, e)
    if err != nil {
      fail(err)
    }
    envelopes = append(envelopes, base64.StdEncoding.EncodeToString(opened))
  }
  _ = json.NewEncoder(os.Stdout).Encode(map[string]any{
    "symmetric": symmetric, "asymmetric": base64.StdEncoding.EncodeToString(asymmetric), "envelopes": envelopes,
  })
}
`;

describe("the README's readers in Python and Go open every output", () => {
  let d: Deployment;
  let dir: string;
  const secrets = {
    symmetric: "YourPassword1234!",
    asymmetric: "rsa-token-ünï",
    envelopes: ["direct-sm4-value", "sm4 envelope ✓ " + "x".repeat(5000), "rsa envelope " + "y".repeat(3000), "rsa-direct"],
    sdk: "encryption-sdk message 🔑",
  };
  let request: Props;
  const outputs = (name: string) => d.stack.state.get(name)!.outputs;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "readme-readers-"));
    d = await deploy();
    const context = { app: "orders", note: "a<b&c" };
    await d.stack.up("symmetric", { plaintext: secrets.symmetric, keyId: "key-aes", encryptionContext: context });
    await d.stack.up("asymmetric", { plaintext: secrets.asymmetric, keyId: "key-rsa2048" });
    const envelopeInputs: Props[] = [
      { keyId: "key-sm4", encryptionContext: context },
      { keyId: "key-sm4", encryptionContext: context, envelope: true },
      { keyId: "key-rsa3072", envelope: true },
      { keyId: "alias/app", algorithm: "RSAES_OAEP_SHA_1" },
    ];
    for (const [i, inputs] of envelopeInputs.entries()) await d.stack.up(`e${i}`, { plaintext: secrets.envelopes[i], ...inputs });
    await d.stack.up("sdk", { plaintext: secrets.sdk, keyId: "key-aes", envelopeFormat: "encryption-sdk", encryptionContext: context });
    const arn = String(((await call(officialClient(d.emulator), "DescribeKey", { KeyId: "key-aes" })).KeyMetadata as Props).Arn);
    const s = outputs("symmetric");
    const a = outputs("asymmetric");
    request = {
      endpoints: { [d.emulator.region]: d.emulator.host },
      symmetric: { blob: s.ciphertextBlob, context: s.encryptionContext },
      asymmetric: { blob: a.ciphertextBlob, keyId: a.keyId, keyVersionId: a.keyVersionId, algorithm: a.algorithm },
      envelopes: envelopeInputs.map((_, i) => envelopeOfOutputs(outputs(`e${i}`))),
      sdkMessage: outputs("sdk").envelope,
      arns: [arn],
    };
  });
  after(async () => {
    await d.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const expectOpened = (answer: Props, withSdk: boolean) => {
    assert.equal(answer.error, undefined, String(answer.error));
    assert.equal(answer.symmetric, secrets.symmetric);
    assert.equal(Buffer.from(String(answer.asymmetric), "base64").toString(), secrets.asymmetric);
    assert.deepEqual((answer.envelopes as string[]).map((e) => Buffer.from(e, "base64").toString()), secrets.envelopes);
    if (withSdk) assert.equal(Buffer.from(String(answer.sdk), "base64").toString(), secrets.sdk);
  };

  it("Python (alibabacloud_kms20160120, aliyun_encryption_sdk)", async () => {
    const python = await readersPython();
    const snippet = join(dir, "readers.py");
    const harness = join(dir, "harness.py");
    writeFileSync(snippet, readmeBlock("python"));
    writeFileSync(harness, PYTHON_HARNESS);
    const env = applicationEnv(d.emulator, ACCESS_KEY);
    const answer = await runPython<Props>(python, harness, request, [snippet], env);
    expectOpened(answer, true);
  });

  it("Java (com.aliyun:kms20160120, compiled with Maven's classpath)", async () => {
    const sources = join(dir, "java");
    mkdirSync(sources);
    writeFileSync(join(sources, "Readers.java"), readmeBlock("java"));
    writeFileSync(join(sources, "Main.java"), JAVA_HARNESS);
    const out = await compileAndRun(sources, ["Readers.java", "Main.java"], "Main", JSON.stringify(request), applicationEnv(d.emulator, ACCESS_KEY));
    const answer = JSON.parse(out) as Props;
    assert.equal(answer.symmetric, secrets.symmetric, "the context as a Map, sent as JSON by the SDK");
    assert.equal(Buffer.from(String(answer.asymmetric), "base64").toString(), secrets.asymmetric);
  });

  it("Go (github.com/alibabacloud-go/kms-20160120/v3)", async () => {
    const sources = join(dir, "go");
    const module = resolve(repo, "test/official-sdks/go");
    mkdirSync(sources);
    for (const file of ["go.mod", "go.sum"]) copyFileSync(join(module, file), join(sources, file));
    writeFileSync(join(sources, "readers.go"), readmeBlock("go"));
    writeFileSync(join(sources, "main.go"), GO_HARNESS);
    const binary = await builtGoProgram(sources, "readers", "readme-readers-go");
    const env = applicationEnv(d.emulator, ACCESS_KEY);
    const [answer] = await runJsonLines<Props>(binary, JSON.stringify(request), env);
    expectOpened(answer!, false);
  });
});
