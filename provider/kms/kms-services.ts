import { CachedKmsService } from "./cached-kms-service";
import { type ErrorContext, type SettingNames, STACK_SETTING_NAMES } from "./kms-error-messages";
import { createTransport, endpointFor } from "./kms-transport";
import { type KmsCarryOverCheck, type KmsDecryptor, type KmsReEncryptor, type KmsService, RemoteKmsService } from "./kms-service";
import { LocallyEncryptingKmsService } from "./locally-encrypting-kms-service";
import { regionOfKeyReference } from "./identifiers";
import type { Settings } from "./settings";

// One KMS service per region, created on first use, in three views: cached (check, create, update:
// one deployment's consistent picture), the same cache encrypting locally (encryptLocally), and
// direct (read: refresh must see KMS as it is now). The region of a call is the key ARN's when
// there is one, else the configured region.

export class KmsServices {
  private readonly byRegion = new Map<string, { cached: KmsService; local: KmsService; direct: RemoteKmsService }>();

  /** `names`: how the reader of this service's messages sets region, endpoint and credentials. */
  constructor(readonly settings: Settings, readonly names: SettingNames = STACK_SETTING_NAMES) {}

  /** The first problem in the settings, named as the reader names the setting. */
  settingsProblem(): string | undefined {
    const problem = this.settings.problems[0];
    return problem && `${this.names.configKeys[problem.setting] ?? problem.setting}: ${problem.reason}`;
  }

  /** The region for a key reference or certificate, or undefined when none is configured. */
  regionFor(keyReference?: string): string | undefined {
    return (keyReference && regionOfKeyReference(keyReference)) || this.settings.region;
  }

  private services(region: string) {
    let views = this.byRegion.get(region);
    if (!views) {
      const direct = new RemoteKmsService(region, createTransport(this.settings, region));
      const cached = new CachedKmsService(direct);
      views = { cached, local: new LocallyEncryptingKmsService(cached), direct };
      this.byRegion.set(region, views);
    }
    return views;
  }

  /** Cached; with `encryptLocally`, encryption uses the public key in this process. */
  in(region: string, encryptLocally = false): KmsService {
    const views = this.services(region);
    return encryptLocally ? views.local : views.cached;
  }

  /** Uncached: every call reaches KMS. */
  directIn(region: string): KmsService {
    return this.services(region).direct;
  }

  /** Decryption, for applications (decrypt.ts); uncached. */
  decryptorIn(region: string): KmsDecryptor {
    return this.services(region).direct;
  }

  /** ReEncrypt, for a rotation that keeps a value no one sees; uncached. */
  reEncryptorIn(region: string): KmsReEncryptor {
    return this.services(region).direct;
  }

  /** DryRuns of what such a rotation calls, for the preview; uncached. */
  carryOverCheckIn(region: string): KmsCarryOverCheck {
    return this.services(region).direct;
  }

  /** What a KMS error message says about where the call went and with whose credentials. */
  /** `kmsInstanceId`: the KMS instance the key lives in, when known (its refusals get a hint). */
  errorContext(property: string, value: string, region: string, kmsInstanceId?: string): ErrorContext {
    return {
      property,
      value,
      region,
      credentialsFrom: this.settings.credentials.from,
      ...(this.settings.credentials.kind === "static" ? { secretFrom: this.settings.credentials.secretFrom } : {}),
      endpoint: this.endpointFor(region),
      names: this.names,
      ...(kmsInstanceId ? { kmsInstanceId } : {}),
    };
  }

  endpointFor(region: string): string {
    try {
      const { host, protocol } = endpointFor(this.settings, region);
      return `${protocol}://${host}`;
    } catch {
      return "no endpoint (not a region ID)";
    }
  }
}
