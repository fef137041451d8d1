import { createRequire } from "node:module";

// Diagnostics for the engine's log: `info` lines under a resource in `pulumi preview` and `up`
// ("will be re-encrypted: …"), and warnings. Every provider process is started with the engine's
// address as its first argument (cmd/dynamic-provider's own convention, and every resource
// plugin's), the channel providers have for telling the user something. Best effort: a message that
// cannot be delivered within a second is dropped, never an error. Nothing secret is ever logged:
// only names, IDs, versions and revisions.
//
// Inside the dynamic provider host the client is loaded from the project's own @pulumi/pulumi. The
// resource plugin is one bundled file with no node_modules beside it: it hands in its own client
// (useEngineLog), built from static imports.

/** The engine's Log call, as the generated gRPC client has it. */
export interface EngineLogClient {
  log(request: unknown, callback: (error: unknown) => void): void;
}
/** Builds a LogRequest: severity "info" or "warning", the message and the resource's URN. */
export type LogRequestFactory = (severity: Severity, urn: string, message: string) => unknown;
type Severity = "info" | "warning";
type Modules = { client: EngineLogClient; request: LogRequestFactory };

let engine: Modules | null | undefined;

/** Sets the client the log lines go to (the resource plugin's door); the dynamic host needs none. */
export function useEngineLog(client: EngineLogClient, request: LogRequestFactory): void {
  engine = { client, request };
}

/** The engine's address from the command line, when it is one. */
export function engineAddress(argv: readonly string[] = process.argv): string | undefined {
  const address = argv[2];
  return address && /^[\w.-]+:\d{1,5}$/.test(address) ? address : undefined;
}

/** The engine's log client, loaded from the project's own @pulumi/pulumi; null outside a provider host. */
function connect(): Modules | null {
  if (engine !== undefined) return engine;
  engine = null;
  const address = engineAddress();
  if (!address) return engine;
  try {
    const fromPulumi = createRequire(require.resolve("@pulumi/pulumi/package.json"));
    const grpc = fromPulumi("@grpc/grpc-js") as { credentials: { createInsecure(): unknown } };
    const services = fromPulumi("@pulumi/pulumi/proto/engine_grpc_pb.js") as {
      EngineClient: new (address: string, credentials: unknown) => EngineLogClient;
    };
    const messages = fromPulumi("@pulumi/pulumi/proto/engine_pb.js") as {
      LogRequest: new () => { setSeverity(s: number): void; setMessage(m: string): void; setUrn(u: string): void };
      LogSeverity: { INFO: number; WARNING: number };
    };
    const client = new services.EngineClient(address, grpc.credentials.createInsecure());
    engine = {
      client,
      request: (severity, urn, message) => {
        const request = new messages.LogRequest();
        request.setSeverity(severity === "info" ? messages.LogSeverity.INFO : messages.LogSeverity.WARNING);
        request.setMessage(message);
        request.setUrn(urn);
        return request;
      },
    };
  } catch {
    engine = null;
  }
  return engine;
}

function log(severity: Severity, urn: string, message: string): Promise<void> {
  const modules = connect();
  if (!modules) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1_000);
    modules.client.log(modules.request(severity, urn, message), () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Logs `message` as info under the resource `urn`; resolves when delivered, or after a second. */
export function logInfo(urn: string, message: string): Promise<void> {
  return log("info", urn, message);
}

/** Logs `message` as a warning under the resource `urn`; resolves when delivered, or after a second. */
export function logWarning(urn: string, message: string): Promise<void> {
  return log("warning", urn, message);
}
