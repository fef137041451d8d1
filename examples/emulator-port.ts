import { createServer } from "node:net";

/**
 * The port `npm run <script>` starts the emulator on: KMS_DEMO_PORT, else 18080, checked free
 * before anything is built, so a busy port is said at once, with what to set, instead of after
 * minutes of building as a bare `listen EADDRINUSE`. Rejects with one sentence.
 */
export async function emulatorPort(script: string): Promise<number> {
  const text = process.env.KMS_DEMO_PORT ?? "18080";
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port < 1 || port > 65535) throw new Error(`KMS_DEMO_PORT=${JSON.stringify(text)} is not a port number (1–65535)`);
  await new Promise<void>((free, taken) => {
    const probe = createServer();
    probe.once("error", (e: NodeJS.ErrnoException) => taken(new Error(e.code === "EADDRINUSE"
      ? `port ${port} is in use (another demo, or another program); free it, or pick another: KMS_DEMO_PORT=${port + 1} npm run ${script}`
      : `port ${port} cannot be listened on (${e.code ?? "unknown error"}); pick another: KMS_DEMO_PORT=<port> npm run ${script}`)));
    probe.listen(port, "127.0.0.1", () => probe.close(() => free()));
  });
  return port;
}
