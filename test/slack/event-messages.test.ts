import { describe, expect, test } from 'vitest';
import type { AuditRecord } from '../../src/domain/audit.js';
import { auditMessage, threadReply } from '../../src/slack/blocks/event-messages.js';
import { aRequest } from '../support/fixtures.js';

const record = (changes: Partial<AuditRecord> = {}): AuditRecord => ({
  id: 'r1',
  seq: 1,
  requestId: 'AR-ABC123',
  at: '2026-01-01T00:00:00.000Z',
  actor: 'UAPPROVER',
  action: 'succeeded',
  provider: 'checkcentral',
  target: 'jill@example.com',
  dryRun: true,
  prevHash: '0',
  hash: '1',
  ...changes,
});

describe('dry-run reply', () => {
  test('a ``` in the request cannot close the fence, and what follows it stays text', () => {
    const wireRequest = 'POST https://api.example/createUser/\n\n{"name":"Eve```<!channel> & <@U0123ABCD>"}';
    const request = aRequest({ dryRun: true, state: 'succeeded', outcome: { kind: 'dry_run', message: 'Dry run (on): nothing was sent.' }, wireRequest });
    const text = threadReply({ request, audit: record() }, 'CheckCentral')!.text;
    expect(text.match(/```/g)).toHaveLength(2);
    expect(text.endsWith('```')).toBe(true);
    expect(text).toContain('&lt;!channel&gt; &amp; &lt;@U0123ABCD&gt;');
    expect(text).not.toMatch(/<!channel>|<@U0123ABCD>/);
  });

  test('a long request is cut inside the fence, which still closes', () => {
    const request = aRequest({ dryRun: true, state: 'succeeded', outcome: { kind: 'dry_run', message: 'Dry run.' }, wireRequest: `POST x\n\n${'<&>'.repeat(3_000)}` });
    const text = threadReply({ request, audit: record() }, 'CheckCentral')!.text;
    expect(text.length).toBeLessThanOrEqual(3_900);
    expect(text.match(/```/g)).toHaveLength(2);
    expect(text).toMatch(/…```$/);
    expect(text).not.toMatch(/&[a-z]*…/);
  });
});

describe('audit-channel line', () => {
  test('an actor that is not a Slack id is text, not a mention, even when it starts like one', () => {
    const text = auditMessage(record({ actor: 'U1><!here' }), 'CheckCentral', undefined).text;
    expect(text).toContain('by U1&gt;&lt;!here ·');
    expect(text).not.toContain('<!here');
  });
});
