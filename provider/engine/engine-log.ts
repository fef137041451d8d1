import { createRequire } from "node:module";

// Diagnostics for the engine's log: `info` lines under a resource in `pulumi preview` and `up`
// ("will be re-encrypted: …"). Every provider process is started with the engine's address as its
// first argument (cmd/dynamic-provider's own convention), the channel providers have for telling
// the user something. Best effort: a message that cannot be delivered within a second is dropped,
// never an error. Nothing secret is ever logged: only names, IDs, versions and revisions.

type Client = { log(request: unknown, callback: (error: unknown) => void): void; close(): void };
type Modules = { client: Client; request: (urn: string, message: string) => unknown };

let engine: Modules | null | undefined;

/** The engine's log client, loaded from the project's own @pulumi/pulumi; null outside a provider host. */
function connect(): Modules | null {
  if (engine !== undefined) return engine;
  engine = null;
  const address = process.argv[2];
  if (!address || !/^[\w.-]+:\d{1,5}$/.test(address)) return engine;
  try {
    const fromPulumi = createRequire(require.resolve("@pulumi/pulumi/package.json"));
    const grpc = fromPulumi("@grpc/grpc-js") as { credentials: { createInsecure(): unknown } };
    const services = fromPulumi("@pulumi/pulumi/proto/engine_grpc_pb.js") as { EngineClient: new (address: string, credentials: unknown) => Client };
    const messages = fromPulumi("@pulumi/pulumi/proto/engine_pb.js") as {
      LogRequest: new () => { setSeverity(s: number): void; setMessage(m: string): void; setUrn(u: string): void };
      LogSeverity: { INFO: number };
    };
    const client = new services.EngineClient(address, grpc.credentials.createInsecure());
    engine = {
      client,
      request: (urn, message) => {
        const request = new messages.LogRequest();
        request.setSeverity(messages.LogSeverity.INFO);
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

/** Logs `message` as info under the resource `urn`; resolves when delivered, or after a second. */
export function logInfo(urn: string, message: string): Promise<void> {
  const modules = connect();
  if (!modules) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1_000);
    modules.client.log(modules.request(urn, message), () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
