import { describe, expect, test } from 'vitest';
import { providers } from '../../src/adapters/providers/registry.js';
import { adduserIntent } from '../../src/slack/listeners/commands/adduser-intent.js';
import { parseAuditQuery } from '../../src/slack/listeners/commands/audit-query.js';

/** The slash command's listener, one table per mapping: the text Slack sends → what is asked for. */
const byId = (id: string) => providers.find((provider) => provider.id === id)!;
const PRESETS = ['engineer', 'github'];

describe('/adduser <text> → what it asks for', () => {
  test.each([
    ['', { kind: 'form', csv: false }],
    ['   ', { kind: 'form', csv: false }],
    ['help', { kind: 'help' }],
    ['HELP', { kind: 'help' }],
    ['status', { kind: 'status' }],
    ['audit', { kind: 'audit', query: '' }],
    ['audit  <@U0ANN|ann>  ', { kind: 'audit', query: '<@U0ANN|ann>' }],
    ['audit ar-2345abcd', { kind: 'audit', query: 'ar-2345abcd' }],
    ['digicert', { kind: 'form', provider: byId('digicert'), csv: false }],
    ['DigiCert', { kind: 'form', provider: byId('digicert'), csv: false }],
    ['csv okta', { kind: 'form', provider: byId('okta'), csv: true }],
    ['csv', { kind: 'csv-usage' }],
    ['csv nope', { kind: 'csv-usage' }],
    ['engineer', { kind: 'form', preset: 'engineer', csv: false }],
    // A preset named like a provider: the provider wins.
    ['github', { kind: 'form', provider: byId('github'), csv: false }],
    ['frobnicate now', { kind: 'unknown', word: 'frobnicate' }],
  ])('%j', (text, intent) => {
    expect(adduserIntent(text, providers, PRESETS)).toEqual(intent);
  });
});

describe('/adduser audit <query> → whose records', () => {
  test.each([
    ['<@U0ANN|ann>', { kind: 'actor', user: 'U0ANN', shown: 'U0ANN' }],
    ['U0ANN', { kind: 'actor', user: 'U0ANN', shown: 'U0ANN' }],
    ['ar-2345abcd', { kind: 'request', id: 'AR-2345ABCD', shown: 'AR-2345ABCD' }],
    ['ab-2345abcd', { kind: 'batch', id: 'AB-2345ABCD', shown: 'AB-2345ABCD' }],
    ['<mailto:a@example.com|a@example.com>', { kind: 'target', target: 'a@example.com', shown: 'a@example.com' }],
    ['jill &lt;j&gt;', { kind: 'target', target: 'jill <j>', shown: 'jill <j>' }],
  ])('%j', (query, asked) => {
    expect(parseAuditQuery(query)).toEqual(asked);
  });
});
