import { startE2E } from '../test/support/e2e.js';

const e2e = await startE2E({ ADDUSER_APPROVERS: 'UAPPROVER01' });
async function scrape(label: string) {
  const times: number[] = [];
  for (let i = 0; i < 30; i++) {
    const t = performance.now();
    await (await fetch(`${e2e.url}/metrics`)).text();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  await new Promise((r) => setTimeout(r, 10_000));
  const cpu = process.cpuUsage(cpu0);
  const idle = ((cpu.user + cpu.system) / 1000) / (performance.now() - wall0) * 100;
  console.log(`${label}: /metrics p50 ${times[15]!.toFixed(2)} ms, max ${times.at(-1)!.toFixed(2)} ms; idle CPU ${idle.toFixed(2)} % of one core over 10 s`);
}
await scrape('0 finished requests');
const N = Number(process.argv[2] ?? 100_000);
for (let start = 0; start < N; start += 1000) {
  await Promise.all(Array.from({ length: 1000 }, async (_, i) => {
    const n = start + i;
    const at = new Date(Date.parse('2026-01-01T00:00:00Z') + n * 1000).toISOString();
    const id = `AR-M${n}`;
    await e2e.store.set(`request:${id}`, { id, provider: 'checkcentral', state: 'succeeded', requester: 'UOLD', reason: 'x', target: 't', details: [], form: {}, generated: [], channel: 'C1', dryRun: false, attempts: 1, createdAt: at, updatedAt: at, expiresAt: at });
    await e2e.store.append('requests:all', id);
  }));
}
await scrape(`${N} finished requests`);
await e2e.close();
process.exit(0);
