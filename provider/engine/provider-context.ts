import type * as dynamic from "@pulumi/pulumi/dynamic";
import { KmsCallError } from "../kms/kms-call-error";
import { describeKmsError } from "../kms/kms-error-messages";
import { KmsServices } from "../kms/kms-services";
import { credentialValues, resolveSettings, type ConfigSource } from "../kms/settings";
import { MessageOnlyError, ownMessage } from "../message-only-error";
import { redact } from "../redact";
import type { CheckFailure } from "./inputs";

// What every provider of this package holds once the engine has configured it: the KMS services
// for the stack's settings, and the credentials no message may contain. Each provider composes one.

/** A user-facing failure of create, update or read. */
export class EncryptedValueError extends MessageOnlyError {}

export class ProviderContext {
  services = new KmsServices(resolveSettings(() => undefined));
  /** Credentials no message may contain (an encryption adds the plaintexts it works on). */
  private sensitive: (string | Buffer)[] = [];

  configure(req: dynamic.ConfigureRequest): void {
    const config: ConfigSource = (key) => {
      const v = req.config.get(key);
      return typeof v === "string" ? v : v === undefined || v === null ? undefined : String(v);
    };
    // The engine configures a provider from state on refresh and destroy: its endpoints obey the host rule.
    this.services = new KmsServices(resolveSettings(config, process.env, { configFromState: true }));
    this.sensitive = credentialValues(this.services.settings);
  }

  /**
   * Before read (refresh), create or update send anything: settings with a problem (an endpoint
   * outside the host rule among them) stop it, in our words.
   */
  assertSettings(): void {
    const problems = this.settingsFailures();
    if (problems.length > 0) throw new EncryptedValueError(problems.map((p) => p.reason).join("; "));
  }

  /** Malformed settings, as check reports them (property "": they are the stack's, not the resource's). */
  settingsFailures(): CheckFailure[] {
    return this.services.settings.problems.map((p) => ({ property: "", reason: `${p.setting}: ${p.reason}` }));
  }

  /** A failed create, update or read as the user reads it, scrubbed of credentials and `extra`. */
  userError(
    e: unknown,
    property: string,
    value: string,
    region: string,
    extra: Buffer[] = [],
    kmsInstanceId?: string,
  ): EncryptedValueError {
    const message = e instanceof KmsCallError
      ? describeKmsError(e, this.services.errorContext(property, value, region, kmsInstanceId))
      : ownMessage(e);
    return new EncryptedValueError(this.scrubText(message, extra));
  }

  message(e: unknown): string {
    return this.scrubText(ownMessage(e));
  }

  scrubText(message: string, extra: Buffer[] = []): string {
    return redact(message, [...this.sensitive, ...extra]);
  }

  scrub(failures: CheckFailure[]): CheckFailure[] {
    return failures.map((f) => ({ property: f.property, reason: this.scrubText(f.reason) }));
  }
}
