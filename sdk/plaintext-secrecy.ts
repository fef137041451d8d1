import * as pulumi from "@pulumi/pulumi";

// A plaintext that is not a Pulumi secret is never stored by this package either, but it sits in
// the program's source or in plain stack config (Pulumi.<stack>.yaml, in clear, often committed):
// the preview says so, naming the value (and entries), never the plaintext.

function warning(what: string): string {
  return `${what}: this package never stores it, but it sits in the program's source or in plain stack config. ` +
    "Read it with config.requireSecret(…) (set it with pulumi config set --secret), or wrap it in pulumi.secret(…)";
}

/**
 * `input` as an Output that resolves once the preview has been told whether it is a secret: a
 * resource registered with it waits for the warning, so no warning is lost when the program ends.
 */
export function warnedUnlessSecret<T>(input: pulumi.Input<T>, what: string): pulumi.Output<T> {
  const whole = pulumi.output(input);
  const told = pulumi.isSecret(whole).then(async (secret) => {
    if (!secret) await pulumi.log.warn(warning(`${what} is not a Pulumi secret`));
    return true;
  });
  return pulumi.all([whole, told]).apply(([value]) => value) as pulumi.Output<T>;
}

/**
 * EncryptedValues' plaintexts, with a warning naming the entries that are not secrets (a map given
 * as an Output can only be judged whole).
 */
export function entriesWarnedUnlessSecret(
  plaintexts: pulumi.Input<Record<string, pulumi.Input<string>>>, name: string,
): pulumi.Output<Record<string, string>> {
  if (pulumi.Output.isInstance(plaintexts) || plaintexts instanceof Promise) {
    return warnedUnlessSecret(plaintexts as pulumi.Input<Record<string, string>>, `EncryptedValues ${name}: plaintexts`);
  }
  const entries = Object.entries(plaintexts);
  const plainEntry = async ([entry, v]: [string, pulumi.Input<string>]) => {
    const secret = await pulumi.isSecret(pulumi.output(v));
    return secret ? [] : [entry];
  };
  const told = Promise.all(entries.map(plainEntry)).then(async (plain) => {
    const names = plain.flat();
    if (names.length > 0) await pulumi.log.warn(warning(`EncryptedValues ${name}: the plaintexts of ${names.join(", ")} are not Pulumi secrets`));
    return true;
  });
  return pulumi.all([pulumi.output(plaintexts), told]).apply(([value]) => value) as pulumi.Output<Record<string, string>>;
}
