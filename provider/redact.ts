// Last line of defence for messages leaving the provider, decrypt() and the CLI: any sensitive value
// (plaintext, access key secret, STS token) is cut out in each form a message could carry it in:
//   as text, JSON-escaped (\" \\ \n, or every character as \uXXXX), percent-encoded (once or twice);
//   as bytes in hex (either case), base64 and base64url at each of the three alignments a value can
//   have inside a longer encoded stream (and those percent-encoded).
// Values under 4 bytes would match by accident inside other words, so they are cut out only where
// they stand as a whole token; messages are built so that none should ever contain one anyway.

const MIN_LENGTH = 4;
const REDACTED = "[redacted]";

/** The characters of `encoded` (base64 of `offset` zero bytes then the value) that depend on the value alone. */
function innerBase64(bytes: Buffer, offset: number, url: boolean): string {
  const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString(url ? "base64url" : "base64").replace(/=+$/, "");
  const first = Math.ceil((8 * offset) / 6);
  const end = Math.floor((8 * (offset + bytes.length)) / 6);
  return encoded.slice(first, end);
}

function percentBytes(bytes: Buffer): string[] {
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0"));
  return [hex.map((h) => `%${h}`).join(""), hex.map((h) => `%${h.toUpperCase()}`).join("")];
}

function jsonEscapes(text: string): string[] {
  const every = [...text].map((c) => c.split("").map((u) => `\\u${u.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")).join("");
  return [JSON.stringify(text).slice(1, -1), every, every.replace(/\\u([0-9a-f]{4})/g, (_, h: string) => `\\u${h.toUpperCase()}`)];
}

function encodings(value: string | Buffer): string[] {
  const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value;
  const text = bytes.toString("utf8");
  const base64 = [0, 1, 2].flatMap((offset) => [innerBase64(bytes, offset, false), innerBase64(bytes, offset, true)]);
  const forms = [
    text,
    ...jsonEscapes(text),
    encodeURIComponent(text),
    encodeURIComponent(encodeURIComponent(text)),
    ...percentBytes(bytes),
    bytes.toString("hex"),
    bytes.toString("hex").toUpperCase(),
    bytes.toString("base64"),
    ...base64,
    ...base64.map((b) => encodeURIComponent(b)),
    ...base64.map((b) => encodeURIComponent(encodeURIComponent(b))),
  ];
  return [...new Set(forms.filter((f) => f.length >= MIN_LENGTH))].sort((a, b) => b.length - a.length);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function redact(text: string, sensitive: readonly (string | Buffer)[]): string {
  let out = text;
  for (const value of sensitive) {
    const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value;
    if (bytes.length === 0) continue;
    if (bytes.length < MIN_LENGTH) {
      for (const form of new Set([bytes.toString("utf8"), bytes.toString("hex"), bytes.toString("base64")])) {
        out = out.replace(new RegExp(`(?<![A-Za-z0-9+/=_-])${escapeRegExp(form)}(?![A-Za-z0-9+/=_-])`, "g"), REDACTED);
      }
      continue;
    }
    for (const form of encodings(bytes)) out = out.split(form).join(REDACTED);
  }
  return out;
}
