// Last line of defence for messages leaving the provider: any sensitive value (plaintext,
// access key secret, STS token) is cut out in each encoding a message could carry it in.

const MIN_LENGTH = 4; // shorter values would match by accident and tell nothing anyway

function encodings(value: string | Buffer): string[] {
  const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value;
  if (bytes.length < MIN_LENGTH) return [];
  const forms = [bytes.toString("utf8"), bytes.toString("base64"), bytes.toString("base64url"), bytes.toString("hex")];
  // base64 of a value embedded mid-stream loses its padding: match without it too.
  forms.push(bytes.toString("base64").replace(/=+$/, ""));
  return [...new Set(forms.filter((f) => f.length >= MIN_LENGTH))].sort((a, b) => b.length - a.length);
}

export function redact(text: string, sensitive: readonly (string | Buffer)[]): string {
  let out = text;
  for (const value of sensitive) {
    for (const form of encodings(value)) out = out.split(form).join("[redacted]");
  }
  return out;
}
