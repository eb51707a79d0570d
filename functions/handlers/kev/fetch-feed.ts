/**
 * Downloads the KEV feed as text, within a size bound and a time limit, over https only. The feed is about 1.5 MB
 * (some 1,400 entries in 2026); the default bound leaves room for years of growth and stops a runaway response
 * before it fills the function's memory. `fetchImpl` is injected in tests: no test reaches the network.
 */
export type FetchLike = (url: string, init: { signal: AbortSignal; headers: Record<string, string>; redirect: 'error' }) => Promise<Response>;

export const DEFAULT_KEV_FEED_MAX_BYTES = 16 * 1024 * 1024;
export const DEFAULT_KEV_FEED_TIMEOUT_MS = 60_000;

export interface FeedLimits {
  maxBytes: number;
  timeoutMs: number;
}

export async function fetchFeedText(url: string, limits: FeedLimits, fetchImpl: FetchLike = fetch): Promise<string> {
  if (!/^https:\/\//i.test(url)) throw new Error(`the KEV feed URL must be https: ${url}`);
  // fetch follows redirects by default, https to http included: `redirect: "error"` refuses any redirect (the feed
  // URL is configured, so a move is for the operator to follow), and the final URL is checked too, in case a fetch
  // implementation followed one anyway (https://fetch.spec.whatwg.org/#concept-request-redirect-mode).
  const response = await fetchImpl(url, { signal: AbortSignal.timeout(limits.timeoutMs), headers: { accept: 'application/json' }, redirect: 'error' });
  if (response.url && !/^https:\/\//i.test(response.url)) throw new Error(`GET ${url}: the response came from ${response.url}, not over https`);
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limits.maxBytes) throw new Error(`GET ${url}: ${declared} bytes, more than the ${limits.maxBytes}-byte limit`);
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limits.maxBytes) {
      await reader.cancel();
      throw new Error(`GET ${url}: more than the ${limits.maxBytes}-byte limit`);
    }
    chunks.push(value);
  }
  return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
}
