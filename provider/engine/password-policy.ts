import { type CharacterClass, LOWER, NUMERIC, SPECIAL, UPPER } from "../crypto/random-password";
import type { CheckFailure } from "./inputs";
import { isUnknown, reveal, UNKNOWN, type Unknown } from "./wire-values";

// EncryptedRandomPassword's policy inputs, named as random.RandomPassword names them so that a
// program switches by changing the type: length (required), lower, upper, numeric, special (each
// default true), minLower, minUpper, minNumeric, minSpecial (default 0), overrideSpecial. Checked
// at preview, each failure naming the property and the fix.

type Props = Record<string, unknown>;

export const POLICY_PROPERTIES = [
  "length", "lower", "upper", "numeric", "special", "minLower", "minUpper", "minNumeric", "minSpecial", "overrideSpecial", "profile",
] as const;

/**
 * What a database's account takes, when the program names it (`profile`). "rds": ApsaraDB RDS's
 * CreateAccount (and ROS's ALIYUN::RDS::Account): 8 to 32 characters, at least three of uppercase,
 * lowercase, digits and special characters, the special ones among !@#$&%^*()_+-=
 * (https://www.alibabacloud.com/help/en/ros/developer-reference/aliyun-rds-account).
 */
const PROFILES = {
  rds: { name: "an RDS account password", minLength: 8, maxLength: 32, special: "!@#$&%^*()_+-=", classes: 3 },
} as const;
type Profile = keyof typeof PROFILES;

/** The longest password drawn: far above any database's limit, far below any key's (envelopes take any size). */
export const MAX_LENGTH = 1024;

export interface PasswordPolicy {
  length: number;
  lower: boolean;
  upper: boolean;
  numeric: boolean;
  special: boolean;
  minLower: number;
  minUpper: number;
  minNumeric: number;
  minSpecial: number;
  overrideSpecial?: string;
  profile?: Profile;
}

/** How a policy falls short of a profile's rules, each failure naming the property to change. */
function profileFailures(p: PasswordPolicy, rules: (typeof PROFILES)[Profile]): CheckFailure[] {
  const failures: CheckFailure[] = [];
  if (p.length < rules.minLength || p.length > rules.maxLength) {
    failures.push({ property: "length", reason: `length is ${p.length}; ${rules.name} is ${rules.minLength} to ${rules.maxLength} characters` });
  }
  const refused = [...new Set(p.overrideSpecial ?? "")].filter((c) => !rules.special.includes(c));
  if (p.special && refused.length > 0) {
    failures.push({ property: "overrideSpecial", reason: `overrideSpecial holds ${refused.join("")}, which ${rules.name} refuses; ` +
      `use only ${rules.special}` });
  }
  const guaranteed = CLASSES.filter(([on, min]) => p[on] && p[min] > 0).length;
  if (guaranteed < rules.classes) {
    failures.push({ property: "", reason: `${rules.name} needs characters of ${rules.classes} classes, and this policy guarantees ` +
      `${guaranteed}: turn on lower, upper, numeric or special (with its minimum at least 1)` });
  }
  return failures;
}

/** The classes a policy draws from, each with its minimum. */
export function characterClasses(p: PasswordPolicy): CharacterClass[] {
  return [
    ...(p.lower ? [{ characters: LOWER, minimum: p.minLower }] : []),
    ...(p.upper ? [{ characters: UPPER, minimum: p.minUpper }] : []),
    ...(p.numeric ? [{ characters: NUMERIC, minimum: p.minNumeric }] : []),
    ...(p.special ? [{ characters: [...new Set(p.overrideSpecial ?? (p.profile ? PROFILES[p.profile].special : SPECIAL))].join(""), minimum: p.minSpecial }] : []),
  ];
}

const CLASSES = [["lower", "minLower"], ["upper", "minUpper"], ["numeric", "minNumeric"], ["special", "minSpecial"]] as const;

/** The policy from the program's inputs, UNKNOWN while any part is unknown (a preview), or the failures. */
export function parsePolicy(news: Props): { policy?: PasswordPolicy | Unknown; failures: CheckFailure[] } {
  const failures: CheckFailure[] = [];
  const values = Object.fromEntries(POLICY_PROPERTIES.map((k) => [k, reveal(news[k])]));
  if (Object.values(values).some(isUnknown)) return { policy: UNKNOWN, failures };
  const whole = (name: string, fallback: number | undefined, min: number) => {
    const v = values[name] ?? fallback;
    if (v === undefined) {
      failures.push({ property: name, reason: `${name} is required: the password's length in characters, ${min}–${MAX_LENGTH}` });
      return 0;
    }
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min || v > MAX_LENGTH) {
      failures.push({ property: name, reason: `${name} must be a whole number from ${min} to ${MAX_LENGTH}` });
      return 0;
    }
    return v;
  };
  const flag = (name: string) => {
    const v = values[name] ?? true;
    if (typeof v !== "boolean") failures.push({ property: name, reason: `${name} must be true or false` });
    return v === true;
  };
  const profileValue = values.profile;
  let profile: Profile | undefined;
  if (profileValue !== undefined && profileValue !== null) {
    if (profileValue === "rds") profile = profileValue;
    else failures.push({ property: "profile", reason: "profile must be \"rds\" (an ApsaraDB RDS account's password rules), or left out" });
  }
  const length = whole("length", undefined, 1);
  const policy: PasswordPolicy = {
    length,
    lower: flag("lower"), upper: flag("upper"), numeric: flag("numeric"), special: flag("special"),
    minLower: 0, minUpper: 0, minNumeric: 0, minSpecial: 0,
    ...(profile ? { profile } : {}),
  };
  // Under a profile that needs characters of several classes, every class on defaults to at least one.
  for (const [on, min] of CLASSES) policy[min] = whole(min, profile && policy[on] ? 1 : 0, 0);
  const override = values.overrideSpecial;
  if (override !== undefined && override !== null) {
    if (typeof override !== "string" || !/^[\x21-\x7e]*$/.test(override)) {
      failures.push({ property: "overrideSpecial", reason: "overrideSpecial must be printable ASCII characters without spaces (e.g. \"!#$%&*()-_=+\")" });
    } else {
      policy.overrideSpecial = override;
      if (policy.special && override === "") {
        failures.push({ property: "overrideSpecial", reason: "overrideSpecial is empty while special is true; set special: false for no special characters" });
      }
    }
  }
  if (failures.length > 0) return { failures };
  if (profile) failures.push(...profileFailures(policy, PROFILES[profile]));
  for (const [on, min] of CLASSES) {
    if (!policy[on] && policy[min] > 0) failures.push({ property: min, reason: `${min} is ${policy[min]} but ${on} is false; set ${on}: true or ${min}: 0` });
  }
  if (!CLASSES.some(([on]) => policy[on])) {
    failures.push({ property: "", reason: "lower, upper, numeric and special are all false: the password has no characters to draw from; turn one on" });
  }
  const required = policy.minLower + policy.minUpper + policy.minNumeric + policy.minSpecial;
  if (required > policy.length) {
    failures.push({ property: "length", reason: `length is ${policy.length}, below the ${required} characters the minimums require; raise length or lower a minimum` });
  }
  return failures.length > 0 ? { failures } : { policy, failures };
}
