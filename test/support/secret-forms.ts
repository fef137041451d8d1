// The encodings in which a secret could show up in stored state or output: as text, base64
// (padding dropped, so it also matches inside longer base64), base64url and hex in both cases.
export function secretForms(value: string | Buffer): string[] {
  const b = typeof value === "string" ? Buffer.from(value) : value;
  return [b.toString("utf8"), b.toString("base64").replace(/=+$/, ""), b.toString("base64url"), b.toString("hex"), b.toString("hex").toUpperCase()];
}
