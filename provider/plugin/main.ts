import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { EngineClient } from "@pulumi/pulumi/proto/engine_grpc_pb";
import { LogRequest, LogSeverity } from "@pulumi/pulumi/proto/engine_pb";
import { engineAddress, useEngineLog } from "../engine/engine-log";
import { PluginServer, serve } from "./server";

// pulumi-resource-alicloud-kms: the engine starts it with its own address as the first argument and
// reads the port it serves on from the first line of its stdout. Everything else it says goes to
// stderr, which the engine shows only with logging turned up.

/** The version the bundle was built as (plugin-package.ts defines it), else package.json's. */
declare const PLUGIN_VERSION: string | undefined;
function version(): string {
  if (typeof PLUGIN_VERSION === "string") return PLUGIN_VERSION;
  return (JSON.parse(readFileSync(join(__dirname, "../../package.json"), "utf8")) as { version: string }).version;
}

async function main(): Promise<void> {
  const address = engineAddress();
  if (address) {
    const client = new EngineClient(address, grpc.credentials.createInsecure());
    useEngineLog(client, (severity, urn, message) =>
      new LogRequest().setSeverity(severity === "info" ? LogSeverity.INFO : LogSeverity.WARNING).setMessage(message).setUrn(urn));
  }
  const { port } = await serve(new PluginServer({ version: version() }));
  process.stdout.write(`${port}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`pulumi-resource-alicloud-kms: could not start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
