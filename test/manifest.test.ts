import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { readRepoFile, sourceFiles } from './support/sources.js';

/**
 * The bot-token scope each Web API method the code may call requires, from each method's page
 * on https://docs.slack.dev/reference/methods ("Required scopes", bot tokens). A method the
 * code starts calling must be added here, so its scope is checked against the manifest.
 */
const METHOD_SCOPES: Record<string, string | readonly string[] | null> = {
  'auth.test': null,
  'chat.getPermalink': null,
  // Public and private channels; for a DM (im:read, not asked for) Slack's missing_scope lets the request through.
  'conversations.info': ['channels:read', 'groups:read'],
  // Ending a workflow step: "No scope required" for bot tokens and the execution's own token alike.
  'functions.completeError': null,
  'functions.completeSuccess': null,
  'chat.postEphemeral': 'chat:write',
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  // Who uploaded a CSV, before reading it: "Bot user tokens may use this method to access information about files".
  'files.info': 'files:read',
  // files.uploadV2 is the WebClient's name for the other two, which it calls in turn.
  'files.uploadV2': 'files:write',
  'files.getUploadURLExternal': 'files:write',
  'files.completeUploadExternal': 'files:write',
  'usergroups.list': 'usergroups:read',
  'usergroups.users.list': 'usergroups:read',
  'users.info': 'users:read',
  'views.open': null,
  'views.publish': null,
  'views.update': null,
};

/** Reading a file someone uploaded is no Web API method: its url_private answers only a token with files:read. */
const FILE_DOWNLOAD_SCOPE = 'files:read';

/** Scopes that manifest features and event subscriptions need by themselves, not through a method. */
const FEATURE_SCOPES = { slash_commands: 'commands' } as const;
const EVENT_SCOPES: Record<string, string | null> = { app_home_opened: null, function_executed: null };

interface Manifest {
  features: { slash_commands?: { command: string; should_escape?: boolean }[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: { event_subscriptions?: { bot_events?: string[] } };
}
const manifest = parse(readRepoFile('manifest.yml')) as Manifest;

/** Every Web API method src/ calls: `…client.family.method(` (a chain may break across lines) or `apiCall('…')`. */
function calledMethods(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const { path, code } of sourceFiles()) {
    const names = [
      ...[...code.matchAll(/\b\w*[cC]lient\s*\.\s*([a-z]\w*(?:\s*\.\s*[a-zA-Z]\w*)+)\s*\(/g)].map((match) => match[1]!.replace(/\s+/g, '')),
      ...[...code.matchAll(/\bapiCall\(\s*['"`]([\w.]+)['"`]/g)].map((match) => match[1]!),
    ];
    for (const name of names) found.set(name, [...(found.get(name) ?? []), path]);
  }
  return found;
}

/** src/ files that read a Slack file's bytes (`.url_private` or `.url_private_download`). */
function fileDownloaders(): string[] {
  return sourceFiles()
    .filter(({ code }) => /\.url_private(?:_download)?\b/.test(code))
    .map(({ path }) => path);
}

describe('manifest.yml asks for exactly the scopes the code needs', () => {
  const called = calledMethods();
  const downloaders = fileDownloaders();

  test('every Web API method the code calls has a known scope', () => {
    const unknown = [...called].filter(([method]) => !(method in METHOD_SCOPES)).map(([method, files]) => `${method} (${files.join(', ')})`);
    expect(unknown, 'add these methods to METHOD_SCOPES with the scope their docs require').toEqual([]);
    // The scan itself works: the calls every request makes are found.
    expect([...called.keys()]).toEqual(expect.arrayContaining(['auth.test', 'chat.postMessage', 'views.open', 'users.info', 'files.uploadV2']));
    expect(downloaders).toContain('src/slack/workspace/files.ts');
  });

  test('each bot scope is needed by a called method, a feature or an event, and each needed scope is granted', () => {
    const events = manifest.settings.event_subscriptions?.bot_events ?? [];
    for (const event of events) expect(event in EVENT_SCOPES, `add ${event} to EVENT_SCOPES with the scope its docs require`).toBe(true);
    const needed = new Set(
      [
        ...[...called.keys()].flatMap((method) => METHOD_SCOPES[method]),
        ...(manifest.features.slash_commands?.length ? [FEATURE_SCOPES.slash_commands] : []),
        ...events.map((event) => EVENT_SCOPES[event]),
        ...(downloaders.length > 0 ? [FILE_DOWNLOAD_SCOPE] : []),
      ].filter((scope): scope is string => typeof scope === 'string'),
    );
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
  });

  test('/adduser is escaped, so a typed @name reaches the bot as a user id', () => {
    const adduser = manifest.features.slash_commands?.find((command) => command.command === '/adduser');
    expect(adduser?.should_escape).toBe(true);
  });
});
