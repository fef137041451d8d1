import type { StatsSnapshot } from "../kms-emulator";

/** The encryptions among the emulator's calls: AsymmetricEncrypt (less its DryRuns) and certificate ones. */
export function realEncryptions({ calls, dryRunCalls }: StatsSnapshot): number {
  const count = (action: string) => (calls[action] ?? 0) - (dryRunCalls[action] ?? 0);
  return count("AsymmetricEncrypt") + count("CertificatePublicKeyEncrypt") + count("Encrypt");
}
