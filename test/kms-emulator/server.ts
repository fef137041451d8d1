import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { asKmsError, ConnectionDropped, errors, KmsError } from "./errors";
import { appliesTo, type FaultState, nextFault, parseFaults } from "./faults";
import { operations } from "./operations";
import { isKeyCommand, KEY_COMMANDS, runKeyCommand } from "./admin/key-commands";
import type { Behaviour, Gateway } from "./operations/operation";
import type { Authenticator } from "./protocol/authenticate";
import { isFormBody, type Params, parseUrlEncoded } from "./protocol/params";
import type { RateLimiter } from "./rate-limiter";
import type { Stats } from "./stats";
import type { KeyStore } from "./store/key-store";

// The HTTP face of the emulator: RPC-style KMS calls on `/`, and the test-only `/__emulator/*` paths.
// Every answer is JSON, errors included: a non-JSON body crashes the v1.2.0 SDK.

export const API_VERSION = "2016-01-20";
const MAX_BODY_BYTES = 1024 * 1024;
/**
 * The SDKs put every parameter in the query string: 6 KB of non-ASCII Plaintext is 18 KB once
 * percent-encoded, past Node's default 16 KB of headers.
 */
const MAX_HEADER_BYTES = 64 * 1024;

export interface ServerParts {
  store: KeyStore;
  authenticator: Authenticator;
  stats: Stats;
  limiter?: RateLimiter;
  faults: FaultState;
  behaviour: Behaviour;
}

/** One face of the emulator: the same parts, served as the public gateway or the VPC one. */
export interface GatewayParts extends ServerParts {
  gateway: Gateway;
}

/**
 * How long an idle keep-alive connection stays open. Longer than clients keep theirs (Node's agents
 * drop an idle socket after 5 s, the server's own default): a server closing first races a client
 * reusing the socket, and the client reads ECONNRESET (seen under a loaded machine).
 */
const KEEP_ALIVE_MS = 65_000;

export function createKmsServer(parts: GatewayParts): Server {
  return createServer({ maxHeaderSize: MAX_HEADER_BYTES, keepAliveTimeout: KEEP_ALIVE_MS }, (req, res) => {
    const url = new URL(req.url ?? "/", "http://emulator.invalid");
    const handler = url.pathname.startsWith("/__emulator/") ? handleAdmin : handleApi;
    handler(parts, req, res, url).catch((e) => {
      if (process.env.KMS_EMULATOR_DEBUG) console.error(e);
      if (!res.headersSent) sendJson(res, 500, errorBody(errors.internal(), newRequestId(), req));
    });
  });
}

async function handleApi(
  parts: GatewayParts,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const requestId = newRequestId();
  const body = await readBody(req);
  const query = parseUrlEncoded(url.search.slice(1));
  const params: Params = {
    ...query,
    ...(body && isFormBody(req.headers["content-type"]) ? parseUrlEncoded(body.toString("utf8")) : {}),
  };
  const action = params.Action ?? headerValue(req, "x-acs-action") ?? "";
  const operation = operations.get(action);
  const dryRun = operation?.acceptsDryRun === true && params.DryRun?.toLowerCase() === "true";
  parts.stats.record(action, dryRun);

  const faults = parts.faults.current;
  const fault = appliesTo(faults, action) ? nextFault(parts.faults) : undefined;
  if (appliesTo(faults, action) && faults.latencyMs > 0) await sleep(faults.latencyMs);
  if (fault === "drop") {
    req.socket.destroy();
    return;
  }

  try {
    if (body === undefined)
      throw errors.invalidParameter("Body", `The request body exceeds ${MAX_BODY_BYTES} bytes.`);
    if (!action) throw errors.missingParameter("Action");
    if (!operation || (parts.behaviour.certificateApi === "absent" && /Certificate/.test(action))) throw errors.unsupportedAction(action);
    const version = params.Version ?? headerValue(req, "x-acs-version");
    if (!version) throw errors.missingParameter("Version");
    if (version !== API_VERSION) throw errors.unsupportedVersion(version);

    const caller = parts.authenticator.authenticate({
      method: req.method ?? "POST",
      path: url.pathname,
      query,
      params,
      headers: req.headers,
      body,
    });
    parts.stats.recordSignature(caller.signature);
    if (parts.limiter && !parts.limiter.allow(caller.accessKey.accessKeyId)) {
      parts.stats.recordThrottled();
      throw errors.throttled();
    }
    if (fault === "error") throw errors.internal();
    if (caller.accessKey.deniedActions?.includes(action)) {
      const denied = errors.noPermission(action);
      throw dryRun ? asDryRunOutcome(denied, parts.behaviour) : denied;
    }

    const context = { store: parts.store, params, caller, behaviour: parts.behaviour, gateway: parts.gateway };
    if (dryRun) {
      try {
        operation.prepare(context);
      } catch (e) {
        if (e instanceof ConnectionDropped) throw e;
        throw asDryRunOutcome(variant(asKmsError(e), parts.behaviour), parts.behaviour);
      }
      throw parts.behaviour.dryRunMessages === "bare" ? errors.dryRunWouldSucceedBare() : errors.dryRunWouldSucceed();
    }
    const respond = operation.prepare(context);
    sendJson(res, 200, { RequestId: requestId, ...respond() });
  } catch (e) {
    if (e instanceof ConnectionDropped) {
      req.socket.destroy();
      return;
    }
    if (process.env.KMS_EMULATOR_DEBUG && !(e instanceof KmsError)) console.error(e);
    const error = variant(asKmsError(e), parts.behaviour);
    sendJson(res, error.status, errorBody(error, requestId, req));
  }
}

/** An error as the chosen variant of the service answers it (see Behaviour). */
function variant(error: KmsError, behaviour: Behaviour): KmsError {
  if (error.code === "Forbidden.KeyVersionNotFound" && behaviour.keyVersionNotFoundCode !== error.code) {
    return new KmsError(error.status, behaviour.keyVersionNotFoundCode, error.message);
  }
  return error;
}

/** What a failed dry run answers: a permission problem, or a request that would not be valid. */
function asDryRunOutcome(cause: KmsError, behaviour: Behaviour): KmsError {
  if (cause.status >= 500) return cause;
  if (behaviour.dryRunMessages === "bare") return cause.status === 403 ? errors.dryRunAccessDeniedBare() : errors.dryRunValidationBare();
  return cause.status === 403 ? errors.dryRunAccessDenied(cause) : errors.dryRunValidation(cause);
}

async function handleAdmin(
  parts: GatewayParts,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const route = `${req.method} ${url.pathname}`;
  const body = await readBody(req);
  switch (route) {
    case "GET /__emulator/stats":
      return sendJson(res, 200, parts.stats.snapshot());
    case "POST /__emulator/reset-stats":
      parts.stats.reset();
      return sendJson(res, 200, parts.stats.snapshot());
    case "GET /__emulator/faults":
      return sendJson(res, 200, parts.faults.current);
    case "POST /__emulator/faults":
      try {
        parts.faults.current = parseFaults(JSON.parse(body?.toString("utf8") || "{}"), parts.faults.current);
        parts.faults.affectedCalls = 0;
        return sendJson(res, 200, parts.faults.current);
      } catch (e) {
        return sendJson(res, 400, { Code: "InvalidParameter", Message: (e as Error).message });
      }
    case "POST /__emulator/keys":
      try {
        const { command, keyId } = JSON.parse(body?.toString("utf8") || "{}") as Record<string, unknown>;
        if (!isKeyCommand(command)) throw errors.invalidParameter("command", `Use one of ${Object.keys(KEY_COMMANDS).join(", ")}.`);
        return sendJson(res, 200, runKeyCommand(parts.store, parts.behaviour, parts.gateway, command, keyId));
      } catch (e) {
        const error = asKmsError(e instanceof SyntaxError ? errors.invalidParameter("Body", "The body is not JSON.") : e);
        return sendJson(res, error.status, { Code: error.code, Message: error.message });
      }
    case "GET /__emulator/inventory":
      return sendJson(res, 200, parts.store.inventory());
    case "GET /__emulator/health":
      return sendJson(res, 200, { ok: true });
    default:
      return sendJson(res, 404, { Code: "NotFound", Message: `No emulator route ${route}.` });
  }
}

/** The body, or undefined when it is larger than MAX_BODY_BYTES. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function newRequestId(): string {
  return randomUUID().toUpperCase();
}

function errorBody(error: KmsError, requestId: string, req: IncomingMessage) {
  return {
    RequestId: requestId,
    HostId: headerValue(req, "host") ?? "kms.aliyuncs.com",
    HttpStatus: error.status,
    Code: error.code,
    Message: error.message,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(error.code)}&product=Kms&requestId=${requestId}`,
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json;charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}
