import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { distIsBuilt } from "./shared-build";

// Runs @pulumi/pulumi's own dynamic provider host (cmd/dynamic-provider) as the engine does: a
// child process in a project directory whose node_modules holds this package, talked to over gRPC.
// Every response and everything the host prints is kept, so tests can search them.

const repoRoot = resolve(__dirname, "../..");
const hostScript = join(repoRoot, "node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js");

type Props = Record<string, unknown>;

export interface CheckAnswer {
  inputs: Props;
  failures: { property: string; reason: string }[];
}

export interface DiffAnswer {
  changes: boolean;
  replaces: string[];
}

export interface HostCallError extends Error {
  code: number;
  details: string;
}

function toStruct(props: Props): Struct {
  // Struct cannot hold undefined: the engine leaves such properties out.
  return Struct.fromJavaScript(JSON.parse(JSON.stringify(props)));
}

export class DynamicProviderHost {
  /** JSON of every response the host sent, in order. */
  readonly responses: string[] = [];
  stdout = "";
  stderr = "";

  private constructor(
    private readonly child: ChildProcess,
    private readonly client: provrpc.ResourceProviderClient,
    private readonly projectDir: string,
  ) {}

  /**
   * Starts the host. `env` is the host's whole environment besides PATH, HOME and the Pulumi
   * project settings, so nothing from the machine (e.g. real cloud credentials) leaks in.
   */
  static async start(env: Record<string, string> = {}, homeFiles: Record<string, string> = {}): Promise<DynamicProviderHost> {
    const projectDir = mkdtempSync(join(tmpdir(), "kms-encrypted-project-"));
    mkdirSync(join(projectDir, "node_modules"));
    // HOME is the project directory: files such as ~/.aliyun/config.json go there.
    for (const [path, content] of Object.entries(homeFiles)) {
      mkdirSync(dirname(join(projectDir, path)), { recursive: true });
      writeFileSync(join(projectDir, path), content, { mode: 0o600 });
    }
    symlinkSync(repoRoot, join(projectDir, "node_modules", "pulumi-alicloud-kms-encrypted"), "dir");
    const child = spawn(
      process.execPath,
      // The package as users have it (dist/) when the test driver has built it for this run; else
      // its "kms-encrypted-source" export condition resolves to the TypeScript sources, through tsx.
      distIsBuilt()
        ? [hostScript, "127.0.0.1:1"]
        : ["--conditions=kms-encrypted-source", "--import", pathToFileURL(require.resolve("tsx")).href, hostScript, "127.0.0.1:1"],
      {
        cwd: projectDir,
        env: { PATH: process.env.PATH ?? "", HOME: projectDir, PULUMI_PROJECT: "kms-test", PULUMI_STACK: "dev", ...env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    const port = await new Promise<number>((resolvePort, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
        const line = /^(\d+)\n/.exec(stdout);
        if (line) resolvePort(Number(line[1]));
      });
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.once("exit", (code) => reject(new Error(`dynamic provider host exited (${code}): ${stderr}`)));
    });
    // As the engine does, no 4 MB cap on messages (a map of many values is larger).
    const unlimited = { "grpc.max_receive_message_length": -1, "grpc.max_send_message_length": -1 };
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), unlimited);
    const host = new DynamicProviderHost(child, client, projectDir);
    host.stdout = stdout;
    host.stderr = stderr;
    child.stdout.on("data", (chunk: Buffer) => (host.stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (host.stderr += chunk.toString()));
    return host;
  }

  private call<Req, Res extends { toObject(): unknown }>(method: string, request: Req): Promise<Res> {
    return new Promise((resolveCall, reject) => {
      (this.client as unknown as Record<string, (r: Req, cb: (e: grpc.ServiceError | null, r: Res) => void) => void>)[method]!
        .call(this.client, request, (error, response) => {
          if (error) {
            this.responses.push(JSON.stringify({ error: error.details }));
            reject(Object.assign(new Error(error.details), { code: error.code, details: error.details }));
          } else {
            this.responses.push(JSON.stringify(response.toObject()));
            resolveCall(response);
          }
        });
    });
  }

  /** Stack configuration, as the engine sends it to dynamic providers: every key, namespaced. */
  async configure(config: Record<string, unknown>): Promise<void> {
    const req = new provproto.ConfigureRequest();
    req.setArgs(toStruct(config));
    req.setAcceptsecrets(true);
    req.setAcceptresources(true);
    await this.call("configure", req);
  }

  async check(urn: string, olds: Props, news: Props): Promise<CheckAnswer> {
    const req = new provproto.CheckRequest();
    req.setUrn(urn);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    const res = await this.call<provproto.CheckRequest, provproto.CheckResponse>("check", req);
    return {
      inputs: (res.getInputs()?.toJavaScript() ?? {}) as Props,
      failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  async diff(id: string, urn: string, olds: Props, news: Props, oldInputs: Props): Promise<DiffAnswer> {
    const req = new provproto.DiffRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    req.setOldInputs(toStruct(oldInputs));
    const res = await this.call<provproto.DiffRequest, provproto.DiffResponse>("diff", req);
    return { changes: res.getChanges() === provproto.DiffResponse.DiffChanges.DIFF_SOME, replaces: res.getReplacesList() };
  }

  async create(urn: string, properties: Props): Promise<{ id: string; properties: Props }> {
    const req = new provproto.CreateRequest();
    req.setUrn(urn);
    req.setProperties(toStruct(properties));
    const res = await this.call<provproto.CreateRequest, provproto.CreateResponse>("create", req);
    return { id: res.getId(), properties: (res.getProperties()?.toJavaScript() ?? {}) as Props };
  }

  async update(id: string, urn: string, olds: Props, news: Props, oldInputs: Props): Promise<Props> {
    const req = new provproto.UpdateRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setOlds(toStruct(olds));
    req.setNews(toStruct(news));
    req.setOldInputs(toStruct(oldInputs));
    const res = await this.call<provproto.UpdateRequest, provproto.UpdateResponse>("update", req);
    return (res.getProperties()?.toJavaScript() ?? {}) as Props;
  }

  async read(id: string, urn: string, properties: Props, inputs: Props): Promise<{ id: string; properties: Props }> {
    const req = new provproto.ReadRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setProperties(toStruct(properties));
    req.setInputs(toStruct(inputs));
    const res = await this.call<provproto.ReadRequest, provproto.ReadResponse>("read", req);
    return { id: res.getId(), properties: (res.getProperties()?.toJavaScript() ?? {}) as Props };
  }

  async delete(id: string, urn: string, properties: Props): Promise<void> {
    const req = new provproto.DeleteRequest();
    req.setId(id);
    req.setUrn(urn);
    req.setProperties(toStruct(properties));
    await this.call("delete", req);
  }

  async close(): Promise<void> {
    this.client.close();
    if (this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once("exit", r));
      this.child.kill("SIGTERM");
      await exited;
    }
    rmSync(this.projectDir, { recursive: true, force: true });
  }
}
