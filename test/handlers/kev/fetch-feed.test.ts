import { fetchFeedText, type FetchLike } from '../../../functions/handlers/kev/fetch-feed';

const URL = 'https://feeds.example.test/kev.json';
const limits = { maxBytes: 1000, timeoutMs: 5000 };
const respond = (body: string, init: ResponseInit = {}): FetchLike => async () => new Response(body, init);

describe('fetchFeedText (never the network: the fetch is injected)', () => {
  it('returns the body of a 200', async () => {
    await expect(fetchFeedText(URL, limits, respond('{"a":1}'))).resolves.toBe('{"a":1}');
  });

  it('refuses a URL that is not https, before any request', async () => {
    const calls: string[] = [];
    await expect(fetchFeedText('http://feeds.example.test/kev.json', limits, async (url) => (calls.push(url), new Response('')))).rejects.toThrow(/must be https/);
    expect(calls).toEqual([]);
  });

  it('asks fetch to refuse redirects, and refuses a response that came from a non-https URL anyway', async () => {
    const modes: unknown[] = [];
    await fetchFeedText(URL, limits, async (_url, init) => (modes.push(init.redirect), new Response('{}')));
    expect(modes).toEqual(['error']);
    const downgraded: FetchLike = async () => {
      const response = new Response('{"a":1}');
      Object.defineProperty(response, 'url', { value: 'http://feeds.example.test/kev.json' });
      return response;
    };
    await expect(fetchFeedText(URL, limits, downgraded)).rejects.toThrow(/came from http:\/\/feeds\.example\.test\/kev\.json, not over https/);
  });

  it('refuses an HTTP error, a declared length over the bound and a body that grows past it', async () => {
    await expect(fetchFeedText(URL, limits, respond('gone', { status: 404 }))).rejects.toThrow('HTTP 404');
    await expect(fetchFeedText(URL, limits, respond('x', { headers: { 'content-length': '5000' } }))).rejects.toThrow('more than the 1000-byte limit');
    await expect(fetchFeedText(URL, limits, respond('x'.repeat(1001)))).rejects.toThrow('more than the 1000-byte limit');
  });

  it('refuses bytes that are not UTF-8', async () => {
    const fetchImpl: FetchLike = async () => new Response(new Uint8Array([0x7b, 0xff, 0x7d]));
    await expect(fetchFeedText(URL, limits, fetchImpl)).rejects.toThrow();
  });
});
