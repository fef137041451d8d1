/**
 * RFC 3986 percent-encoding as Alibaba Cloud's signatures use it: only `A-Za-z0-9-_.~` stay.
 * encodeURIComponent leaves `!'()*` alone, so those are encoded by hand.
 */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
