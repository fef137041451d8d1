import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildInto, cacheRoot } from "./go-build";

// Alibaba's KMS SDK for Java as the tests compile against it: the classpath Maven resolves for
// test/official-sdks/java/pom.xml (from Maven Central the first time, about 15 s; cached by the
// pom's hash beside the Go builds), then javac and java, as a reader's own build would run them.

const pom = resolve(__dirname, "../official-sdks/java/pom.xml");

type RunOptions = { cwd?: string; input?: string; env?: NodeJS.ProcessEnv };

function run(command: string, args: string[], options: RunOptions = {}): Promise<string> {
  return new Promise((done, fail) => {
    const child = execFile(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => (error ? fail(new Error(`${command} ${args.slice(0, 3).join(" ")} failed: ${stderr.slice(-3000)}`)) : done(stdout)));
    if (options.input !== undefined) child.stdin!.end(options.input);
  });
}

/** The SDK's classpath (jars joined with ':'), resolved once per pom. */
export async function javaSdkClasspath(): Promise<string> {
  const hash = createHash("sha256").update(readFileSync(pom)).digest("hex").slice(0, 16);
  const target = join(cacheRoot(), `java-sdk-${hash}`);
  const file = (dir: string) => join(dir, "classpath.txt");
  await buildInto(target, (dir) => existsSync(file(dir)), async (staging) => {
    const out = join(staging, "resolved.txt");
    await run("mvn", ["-q", "-B", "-f", pom, "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath", `-Dmdep.outputFile=${out}`]);
    writeFileSync(file(staging), readFileSync(out, "utf8").trim());
  });
  return readFileSync(file(target), "utf8");
}

/** Compiles `sources` (in `dir`) against the SDK and runs `main` with `input` on stdin; its stdout. */
export async function compileAndRun(
  dir: string, sources: string[], main: string, input: string, env: NodeJS.ProcessEnv,
): Promise<string> {
  const classpath = await javaSdkClasspath();
  await run("javac", ["-cp", classpath, "-d", join(dir, "classes"), ...sources.map((s) => join(dir, s))]);
  return run("java", ["-cp", `${join(dir, "classes")}:${classpath}`, main], { input, env });
}
