import Credential, { CLIProfileCredentialsProvider } from "@alicloud/credentials";
import type { Config } from "@alicloud/rpc-client";
import { MessageOnlyError } from "../message-only-error";
import { printable } from "./identifiers";
import type { CredentialSource, Settings } from "./settings";

// The credentials the KMS client signs with, and what is said when they cannot be had. The
// credentials library's own messages are never passed on: a malformed ~/.aliyun/config.json makes
// it quote the whole file, access_key_secret included, and its chain failure reads
// "…getaddrinfo ENOTFOUND undefinedGET https://undefined/ failed." Its failures are recognised by
// kind and said again in our words, naming the source that was tried and what to do.

/** No usable credentials; the message is ours and names the source. */
export class CredentialsUnavailableError extends MessageOnlyError {}

const CHAIN = "ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET, OIDC (ALIBABA_CLOUD_ROLE_ARN, ALIBABA_CLOUD_OIDC_PROVIDER_ARN, " +
  "ALIBABA_CLOUD_OIDC_TOKEN_FILE), ~/.aliyun/config.json, ~/.alibabacloud/credentials, the ECS RAM role, ALIBABA_CLOUD_CREDENTIALS_URI";

/** What went wrong with the aliyun CLI's config file, recognised from the library's message. */
function profileProblem(library: string, profile: string): string {
  if (/^parse aliyun cli config/i.test(library)) return "~/.aliyun/config.json is not valid JSON; repair it (aliyun configure) or choose another profile";
  if (/^reading aliyun cli config/i.test(library)) return "~/.aliyun/config.json is missing or unreadable; create it with aliyun configure";
  if (/unable to get profile/i.test(library)) return `~/.aliyun/config.json has no profile ${printable(profile)}; add it (aliyun configure --profile) or fix the name`;
  if (/unsupported profile mode/i.test(library)) return `profile ${printable(profile)} uses a mode the credentials library cannot use; use AK, StsToken, RamRoleArn or EcsRamRole`;
  return `profile ${printable(profile)} in ~/.aliyun/config.json could not be used; check it with aliyun configure list`;
}

export function explainCredentialFailure(source: CredentialSource, error: unknown): string {
  const library = error instanceof Error ? error.message : "";
  if (source.kind === "profile") return `${source.from} ${printable(source.profile)}: ${profileProblem(library, source.profile)}`;
  const cliConfig = /parse aliyun cli config/i.test(library) ? "; ~/.aliyun/config.json is not valid JSON" : "";
  return `the default credentials chain found none (it tries ${CHAIN})${cliConfig}`;
}

/** The library's credential, with its failures said in our words. */
class ExplainedCredential {
  constructor(private readonly inner: Credential, private readonly source: CredentialSource) {}

  getAccessKeyId(): Promise<string> {
    return this.explain(() => this.inner.getAccessKeyId());
  }

  getAccessKeySecret(): Promise<string> {
    return this.explain(() => this.inner.getAccessKeySecret());
  }

  getSecurityToken(): Promise<string> {
    return this.explain(() => this.inner.getSecurityToken());
  }

  private async explain(get: () => Promise<string>): Promise<string> {
    try {
      return await get();
    } catch (e) {
      throw new CredentialsUnavailableError(explainCredentialFailure(this.source, e));
    }
  }
}

export function credentialFor(settings: Settings): Pick<Config, "accessKeyId" | "accessKeySecret" | "securityToken" | "credential"> {
  const c = settings.credentials;
  switch (c.kind) {
    case "static":
      return {
        accessKeyId: c.accessKeyId,
        accessKeySecret: c.accessKeySecret,
        ...(c.securityToken ? { securityToken: c.securityToken } : {}),
      };
    case "profile": {
      const fromProfile = new Credential(null, CLIProfileCredentialsProvider.builder().withProfileName(c.profile).build());
      return { credential: new ExplainedCredential(fromProfile, c) as never };
    }
    case "default-chain":
      return { credential: new ExplainedCredential(new Credential(), c) as never };
  }
}
