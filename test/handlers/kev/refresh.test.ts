import { KEV_METRICS, refreshKevCatalogue, type KevCatalogueStore } from '../../../functions/handlers/kev/refresh';
import { silentLogger } from '../../../functions/handlers/logger';
import { kevFeedText } from '../../support/kev-feed';
import { FakeMetrics } from '../support/fakes';

const URL = 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json';
const NOW = new Date('2026-12-02T00:00:00.000Z');

class MemoryStore implements KevCatalogueStore {
  writes = 0;
  constructor(public text?: string) {}
  async read() {
    return this.text;
  }
  async write(text: string) {
    this.writes += 1;
    this.text = text;
  }
}

function run(store: MemoryStore, feed: () => Promise<string>) {
  const metrics = new FakeMetrics();
  const fetched: string[] = [];
  const outcome = refreshKevCatalogue(
    {
      fetchFeed: async (url) => {
        fetched.push(url);
        return feed();
      },
      store,
      metrics,
      logger: silentLogger(),
      now: () => NOW,
    },
    { url: URL },
  );
  return { outcome, metrics, fetched };
}

describe('refreshKevCatalogue', () => {
  it('writes the first catalogue and publishes its age', async () => {
    const store = new MemoryStore();
    const { outcome, metrics, fetched } = run(store, async () => kevFeedText(100));
    await expect(outcome).resolves.toEqual({ status: 'replaced', version: '2026.12.01', count: 100 });
    expect(fetched).toEqual([URL]);
    expect(store.text).toBe(kevFeedText(100));
    expect(metrics.counts).toEqual([{ name: KEV_METRICS.ageHours, value: 10, dimensions: undefined }]);
  });

  it('replaces a catalogue with a newer, longer one; leaves the object alone when the version is the same', async () => {
    const store = new MemoryStore(kevFeedText(100));
    await expect(run(store, async () => kevFeedText(101, '2026-12-01T20:00:00.000Z', '2026.12.01.2')).outcome).resolves.toMatchObject({ status: 'replaced', count: 101 });
    const again = run(store, async () => kevFeedText(101, '2026-12-01T20:00:00.000Z', '2026.12.01.2'));
    await expect(again.outcome).resolves.toEqual({ status: 'unchanged', version: '2026.12.01.2' });
    expect(store.writes).toBe(1);
  });

  it.each([
    ['an empty catalogue', async () => kevFeedText(0), /lists no vulnerability/],
    ['one that shrank by half', async () => kevFeedText(50, '2026-12-01T20:00:00.000Z', 'v2'), /shrank from 100 to 50/],
    ['one released in the future', async () => kevFeedText(100, '2026-12-05T00:00:00.000Z', 'v2'), /in the future/],
    ['a feed that is not the KEV format', async () => '{"vulnerabilities": "none"}', /catalogVersion|vulnerabilities/],
    ['a truncated download', async () => kevFeedText(100).slice(0, 5000), /JSON|KEV/],
    ['a failed download', async () => Promise.reject(new Error('GET: HTTP 503')), /HTTP 503/],
  ])('refuses %s: keeps the catalogue in place, counts a failure, still publishes its age, and throws', async (_what, feed, message) => {
    const store = new MemoryStore(kevFeedText(100));
    const { outcome, metrics } = run(store, feed);
    await expect(outcome).rejects.toThrow(message);
    expect(store.text).toBe(kevFeedText(100));
    expect(store.writes).toBe(0);
    expect(metrics.total(KEV_METRICS.refreshFailures)).toBe(1);
    expect(metrics.counts.find((c) => c.name === KEV_METRICS.ageHours)?.value).toBe(10);
  });

  it('replaces a stored catalogue it cannot read', async () => {
    const store = new MemoryStore('not json');
    await expect(run(store, async () => kevFeedText(3)).outcome).resolves.toMatchObject({ status: 'replaced', count: 3 });
  });
});
