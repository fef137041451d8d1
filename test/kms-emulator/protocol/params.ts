/**
 * Request parameters of an RPC-style call: the query string, plus a form body when one is sent.
 * Values are decoded here once; the signature checks re-encode them the canonical way, which is
 * why a client that leaves `*` unencoded (the v1.2.0 SDK does) still verifies.
 */
export type Params = Record<string, string>;

function decodeComponent(s: string): string {
  return decodeURIComponent(s.replace(/\+/g, " "));
}

export function parseUrlEncoded(text: string): Params {
  const params: Params = {};
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const name = decodeComponent(eq < 0 ? pair : pair.slice(0, eq));
    params[name] = eq < 0 ? "" : decodeComponent(pair.slice(eq + 1));
  }
  return params;
}

export function isFormBody(contentType: string | undefined): boolean {
  return (contentType ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded");
}
