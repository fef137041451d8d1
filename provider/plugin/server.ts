import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as providerService from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as rpc from "@pulumi/pulumi/proto/provider_pb";
import { PluginInfo } from "@pulumi/pulumi/proto/plugin_pb";
import { EncryptedValueProvider } from "../engine/encrypted-value-provider";
import { EncryptedValuesProvider } from "../engine/encrypted-values-provider";
import { EncryptedRandomPasswordProvider } from "../engine/encrypted-random-password-provider";
import { logWarning } from "../engine/engine-log";
import type { CheckFailure } from "../engine/inputs";
import {
  checkCompleted, encryptedValueInputs, encryptedValuesInputs, passwordInputs, type ProgramInputs, type PluginRequest,
} from "../engine/program-inputs";
import { printable } from "../kms/identifiers";
import { MessageOnlyError, ownMessage } from "../message-only-error";
import { CONFIG_KEYS, configFailures, configForEngine, integrityKeyInClear, PACKAGE, TOKENS } from "./plugin-config";
import { schemaText } from "./schema";

// The resource plugin's door: the ResourceProvider gRPC service, served here rather than through
// @pulumi/pulumi/provider's main(), whose configure() drops the request's variables and which
// declares no answer on preview support. Wiring only: wire values in, the engine's providers
// (the very objects behind the dynamic provider) decide, wire values out. One process serves one
// provider instance (the engine starts one per provider resource), so it holds one of each.

type Props = Record<string, unknown>;

/** The program's stack integrity key is the plugin's config (engine/program-inputs.ts). */
const STACK_KEY = { configKey: `${PACKAGE}:integrityKey` };
type Unary<Req, Res> = grpc.handleUnaryCall<Req, Res>;

/** Struct ⇄ plain values: secrets and unknowns travel as the same sentinels the dynamic host uses. */
function props(struct: Struct | undefined): Props {
  return (struct?.toJavaScript() ?? {}) as Props;
}
function struct(value: Props): Struct {
  // undefined has no Struct form; JSON drops it, as the dynamic host's serialisation does.
  return Struct.fromJavaScript(JSON.parse(JSON.stringify(value)) as Record<string, never>);
}

const DIFF = rpc.DiffResponse.DiffChanges;

function withFailures(response: rpc.CheckResponse, failures: readonly CheckFailure[]): rpc.CheckResponse {
  for (const f of failures) response.addFailures(new rpc.CheckFailure().setProperty(f.property).setReason(f.reason));
  return response;
}

/**
 * Which resource type a URN names: `urn:pulumi:stack::project::type::name`, where under a component
 * the type is the parents' chain, `parentType$…$type`.
 */
function typeOf(urn: string): string {
  return (urn.split("::")[2] ?? "").split("$").pop() ?? "";
}

/** A handler whose failure reaches the engine as our message, never a stack trace. */
function unary<Req, Res>(handle: (request: Req) => Promise<Res>): Unary<Req, Res> {
  return (call, callback) => {
    handle(call.request).then(
      (response) => callback(null, response),
      (e: unknown) => callback({ code: grpc.status.UNKNOWN, message: ownMessage(e), name: "Error" }),
    );
  };
}

export interface PluginServerOptions {
  version: string;
}

export class PluginServer {
  private readonly value = new EncryptedValueProvider({ stackKey: STACK_KEY, storesDerivableEnvelope: true });
  // A generated SDK reads both maps from the outputs; the TypeScript SDK derives one of them.
  private readonly values = new EncryptedValuesProvider({ stackKey: STACK_KEY, bothMaps: true });
  private readonly password = new EncryptedRandomPasswordProvider({ stackKey: STACK_KEY });
  private config = new Map<string, string>();
  /** Whether Configure's arguments held the stack's integrity key without its secret marker. */
  private keyInClear = false;

  constructor(private readonly options: PluginServerOptions) {}

  private providerFor(urn: string): EncryptedValueProvider | EncryptedValuesProvider {
    const type = typeOf(urn);
    if (type === TOKENS.value) return this.value;
    if (type === TOKENS.values) return this.values;
    if (type === TOKENS.password) return this.password;
    throw new MessageOnlyError(`${PACKAGE} has no resource type ${printable(type)}; it has ${Object.values(TOKENS).join(", ")}`);
  }

  private request(urn: string, seed: Uint8Array): PluginRequest {
    const integrityKey = this.config.get(STACK_KEY.configKey);
    return { urn, randomSeed: seed, integrityKey, ...(this.keyInClear ? { integrityKeyInClear: STACK_KEY.configKey } : {}) };
  }

  /** The service's handlers; every method not here answers UNIMPLEMENTED. */
  handlers(): Partial<providerService.IResourceProviderServer> {
    return {
      getPluginInfo: unary(async () => new PluginInfo().setVersion(this.options.version)),
      getSchema: unary(async () => new rpc.GetSchemaResponse().setSchema(schemaText(this.options.version))),
      checkConfig: unary(async (req: rpc.CheckRequest) => {
        const news = props(req.getNews());
        const response = new rpc.CheckResponse().setInputs(struct(configForEngine(news)));
        return withFailures(response, configFailures(news));
      }),
      diffConfig: unary(async (req: rpc.DiffRequest) => {
        const [olds, news] = [req.getOlds(), req.getNews()].map((s) => JSON.stringify(configForEngine(props(s))));
        return new rpc.DiffResponse().setChanges(olds === news ? DIFF.DIFF_NONE : DIFF.DIFF_SOME);
      }),
      configure: unary(async (req: rpc.ConfigureRequest) => {
        // Kept by the names stack config and the settings use (`alicloud-kms:<key>`).
        this.config = new Map();
        const variables = req.getVariablesMap().entries() as Iterable<[string, string]>;
        for (const [name, value] of variables) {
          const key = name.startsWith(`${PACKAGE}:config:`) ? name.slice(`${PACKAGE}:config:`.length) : undefined;
          if (key !== undefined && (CONFIG_KEYS as readonly string[]).includes(key)) this.config.set(`${PACKAGE}:${key}`, value);
        }
        this.keyInClear = integrityKeyInClear(req.hasArgs() ? props(req.getArgs()) : undefined);
        const config = this.config;
        const configure = { config: { get: (key: string) => config.get(key) } } as Parameters<EncryptedValueProvider["configure"]>[0];
        await Promise.all([this.value, this.values, this.password].map((p) => p.configure(configure)));
        // Secrets arrive wrapped; a preview answers with the checked inputs (the dynamic host's behaviour).
        return new rpc.ConfigureResponse().setAcceptsecrets(true).setSupportspreview(false).setAcceptresources(false);
      }),
      check: unary(async (req: rpc.CheckRequest) => {
        const urn = req.getUrn();
        const provider = this.providerFor(urn);
        const olds = props(req.getOlds());
        const prepare = provider === this.values ? encryptedValuesInputs
          : provider === this.password ? passwordInputs : encryptedValueInputs;
        const completed: ProgramInputs = await prepare(olds, props(req.getNews()), this.request(urn, req.getRandomseed_asU8()));
        await Promise.all(completed.warnings.map((w) => logWarning(urn, w)));
        const result = await checkCompleted((o, n) => provider.check(o, n), olds, completed);
        return withFailures(new rpc.CheckResponse().setInputs(struct(result.inputs ?? {})), result.failures ?? []);
      }),
      diff: unary(async (req: rpc.DiffRequest) => {
        const result = await this.providerFor(req.getUrn()).diff(req.getId(), props(req.getOlds()), props(req.getNews()));
        return new rpc.DiffResponse()
          .setChanges(result.changes ? DIFF.DIFF_SOME : DIFF.DIFF_NONE)
          .setReplacesList(result.replaces ?? [])
          .setDeletebeforereplace(result.deleteBeforeReplace ?? false);
      }),
      create: unary(async (req: rpc.CreateRequest) => {
        const result = await this.providerFor(req.getUrn()).create(props(req.getProperties()));
        return new rpc.CreateResponse().setId(result.id).setProperties(struct(result.outs ?? {}));
      }),
      update: unary(async (req: rpc.UpdateRequest) => {
        const result = await this.providerFor(req.getUrn()).update(req.getId(), props(req.getOlds()), props(req.getNews()));
        return new rpc.UpdateResponse().setProperties(struct(result.outs ?? {}));
      }),
      read: unary(async (req: rpc.ReadRequest) => {
        const result = await this.providerFor(req.getUrn()).read(req.getId(), props(req.getProperties()));
        const response = new rpc.ReadResponse().setId(result.id ?? req.getId()).setProperties(struct(result.props ?? {}));
        const inputs = req.getInputs();
        return inputs ? response.setInputs(inputs) : response;
      }),
      delete: unary(async () => new Empty()),
      cancel: unary(async () => new Empty()),
      attach: unary(async () => new Empty()),
    };
  }
}

/** Serves the plugin on a loopback port and resolves with the port (which the plugin prints). */
export function serve(server: PluginServer): Promise<{ port: number; grpcServer: grpc.Server }> {
  const grpcServer = new grpc.Server({ "grpc.max_receive_message_length": 1 << 30 });
  grpcServer.addService(providerService.ResourceProviderService, server.handlers() as providerService.IResourceProviderServer);
  return new Promise((resolve, reject) => {
    grpcServer.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => {
      if (error) reject(error);
      else resolve({ port, grpcServer });
    });
  });
}
