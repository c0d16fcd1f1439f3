import { beforeAll, describe, expect, it } from 'vitest';
import { dataField, graphqlRequest, useTestApp } from './helpers/app.ts';
import { DRIVERS, useTestDatabase } from './helpers/databases.ts';
import { type SeededOrganization, seedFiles, seedOrganization } from './helpers/seed.ts';

const LIST = 'query($id: ID!) { job(id: $id) { files(first: 40) { edges { node { id downloadUrl keyframes { downloadUrl } } } } } }';
const REFRESH = 'mutation($id: ID!) { refreshFileUrl(id: $id) { downloadUrl downloadUrlExpiresAt } }';

interface Listing {
  files: { edges: Array<{ node: { id: string; downloadUrl: string; keyframes: Array<{ downloadUrl: string }> | null } }> };
}

describe.each(DRIVERS)('signature reuse on %s', (driver) => {
  const handle = useTestDatabase(driver);
  // Starts at the current time, so fresh URLs from refreshFileUrl expire a week from now.
  const clock = { nowMs: Date.now() };
  const testApp = useTestApp(handle, {}, () => clock.nowMs);
  let seed: SeededOrganization;

  beforeAll(async () => {
    seed = await seedOrganization(handle.database.db);
    // 40 files, 10 of them videos: 40 + 30 = 70 URLs per listing.
    await seedFiles(handle.database.db, seed, 40);
  });

  const list = async () => dataField<Listing>(await graphqlRequest(testApp.app, seed.readKey, LIST, { id: seed.jobId }), 'job');

  it('signs nothing on a second listing in the window', async () => {
    const first = await list();
    const afterFirst = testApp.services.store.signCount;
    const second = await list();
    expect(testApp.services.store.signCount).toBe(afterFirst);
    expect(second).toEqual(first);
  });

  it('counts one cache hit per URL', async () => {
    await list();
    const before = testApp.services.store.cacheStats();
    await list();
    const after = testApp.services.store.cacheStats();

    expect(after.hits - before.hits).toBe(70);
    expect(after.misses - before.misses).toBe(0);
  });

  it('signs again in the next window', async () => {
    const first = await list();
    const before = testApp.services.store.signCount;
    const missesBefore = testApp.services.store.cacheStats().misses;
    clock.nowMs += testApp.config.signingWindowSeconds * 1000;
    const next = await list();
    const urlsOf = (listing: Listing) =>
      listing.files.edges.flatMap(({ node }) => [node.downloadUrl, ...(node.keyframes ?? []).map((frame) => frame.downloadUrl)]);

    expect(urlsOf(next)).toHaveLength(70);
    expect(testApp.services.store.signCount).toBe(before + 70);
    expect(testApp.services.store.cacheStats().misses - missesBefore).toBe(70);
    expect(urlsOf(next)).not.toEqual(urlsOf(first));
  });

  it('signs afresh for refreshFileUrl', async () => {
    const listing = await list();
    const file = listing.files.edges[0]?.node;
    const before = testApp.services.store.signCount;
    const result = await graphqlRequest(testApp.app, seed.readKey, REFRESH, { id: file?.id });
    const refreshed = dataField<{ downloadUrl: string; downloadUrlExpiresAt: string }>(result, 'refreshFileUrl');
    expect(testApp.services.store.signCount).toBe(before + 1);
    expect(new Date(refreshed.downloadUrlExpiresAt).getTime()).toBe(Math.floor(clock.nowMs / 1000) * 1000 + 604_800_000);
  });
});
