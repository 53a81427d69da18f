/**
 * The import rules of docs/architecture.md, checked by `npm test` (dependency-cruiser). Slack
 * surfaces use the domain; the domain uses the adapters' interfaces; adapters know neither the
 * domain nor Slack. Type-only imports count: a cycle of types is still a cycle to read through.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'No import cycle anywhere in src/, type-only imports included.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'domain-knows-no-transport',
      comment: 'The domain speaks to people only through its ports (the Notifier, the Directory): it imports neither Bolt, undici, nor the Slack or HTTP layers.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: ['^src/slack/', '^src/http/', '^src/bot\\.ts$', '^src/cli/', 'node_modules/@slack/', 'node_modules/undici/'] },
    },
    {
      name: 'adapters-know-no-slack-or-domain',
      comment: 'Adapters are I/O behind small interfaces: they know nothing of Slack, and nothing of the request lifecycle that uses them.',
      severity: 'error',
      from: { path: '^src/adapters/' },
      to: { path: ['^src/slack/', '^src/domain/', '^src/http/', '^src/bot\\.ts$', 'node_modules/@slack/'] },
    },
    {
      name: 'providers-reach-the-store-only-through-the-limiter',
      comment: 'A provider is data and pure functions; the shared limiter (adapters/providers/limiter.ts) takes its rate-limit windows from the store through the two functions it is handed, and may name the store\'s window type.',
      severity: 'error',
      from: { path: '^src/adapters/providers/', pathNot: '^src/adapters/providers/limiter\\.ts$' },
      to: { path: '^src/adapters/store/' },
    },
    {
      name: 'one-provider-knows-no-other',
      comment: 'Adding a provider touches its own folder and one registry line: no provider folder imports another.',
      severity: 'error',
      from: { path: '^src/adapters/providers/([^/]+)/' },
      to: { path: '^src/adapters/providers/([^/]+)/', pathNot: '^src/adapters/providers/$1/' },
    },
    {
      name: 'blocks-are-pure',
      comment: 'Block Kit builders are pure functions of data: they import no Slack client, store, listener, delivery or domain service (a form\'s pure model they may).',
      severity: 'error',
      from: { path: '^src/slack/blocks/' },
      to: { path: ['^src/slack/(inbound|listeners|delivery|workspace)/', '^src/adapters/(?!providers/(types|outcome)\\.ts$)', '^src/domain/(lifecycle|policy/version)', 'node_modules/@slack/web-api'] },
    },
    {
      name: 'slack-inbound-before-listeners',
      comment: 'Nothing reaches a listener unparsed: inbound/ (gate, envelope, payloads) knows no listener, delivery or form.',
      severity: 'error',
      from: { path: '^src/slack/inbound/' },
      to: { path: ['^src/slack/(listeners|delivery|forms)/'] },
    },
    {
      name: 'only-the-composition-root-builds',
      comment: 'bot.ts (with its builders in bot/) builds every part once; only run.ts (what main.ts runs) starts it.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(main\\.ts|run\\.ts|bot\\.ts|bot/)' },
      to: { path: '^src/(bot\\.ts|main\\.ts|run\\.ts|bot/)' },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
  },
};
