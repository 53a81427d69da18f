import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { providers } from '../src/adapters/providers/registry.js';
import { CREATE_ACCOUNT, createAccountInputs } from '../src/slack/listeners/functions/inputs.js';
import { readRepoFile, repoRoot } from './support/sources.js';

interface Parameters {
  properties: Record<string, { type: string; title?: string; description?: string }>;
  required?: string[];
}
interface StepManifest {
  settings: { org_deploy_enabled?: boolean; function_runtime?: string; event_subscriptions?: { bot_events?: string[] } };
  functions?: Record<string, { title: string; description: string; input_parameters: Parameters; output_parameters: Parameters }>;
}

const manifest = parse(readRepoFile('manifest.yml')) as StepManifest;

/**
 * Type errors of `source`, compiled by tsc as if it were a file of test/: the way a manifest
 * typed in TypeScript would be checked, without keeping a TypeScript copy of the YAML.
 */
let previous: ts.Program | undefined;
function typeErrors(source: string): string[] {
  const fileName = join(repoRoot, 'test', 'manifest-as-typescript.ts');
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) => (name === fileName ? ts.createSourceFile(name, source, language) : getSourceFile(name, language, ...rest));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === fileName || fileExists(name);
  // The second compile reuses the first's parsed declarations (Bolt's and the Web API's are large).
  const program = ts.createProgram([fileName], options, host, previous);
  previous = program;
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}

describe('manifest.yml declares the "Create an account" workflow step (SPEC §10)', () => {
  test('the whole manifest has the type apps.manifest.create takes (@slack/web-api’s Manifest)', { timeout: 60_000 }, () => {
    // @slack/web-api 8.2's list of events lacks function_executed, which Slack requires for a
    // step (asserted below): the rest of the manifest, every key and value, is checked.
    const events = manifest.settings.event_subscriptions?.bot_events ?? [];
    const checked = structuredClone(manifest);
    checked.settings.event_subscriptions!.bot_events = events.filter((event) => event !== 'function_executed');
    const source = [
      "import type { webApi } from '@slack/bolt';",
      "type Manifest = webApi.AppsManifestCreateArguments['manifest'];",
      `export const manifest: Manifest = ${JSON.stringify(checked, null, 2)};`,
    ].join('\n');
    expect(typeErrors(source)).toEqual([]);
    // The check can fail: a misspelt key of a step parameter is a type error.
    expect(typeErrors(source.replace('"title": "Requester"', '"titel": "Requester"')).join('\n')).toMatch(/'"titel"' does not exist in type/);
  });

  test('Slack sends the step and runs it remotely: function_executed, org-ready, remote runtime', () => {
    expect(manifest.settings.event_subscriptions?.bot_events).toContain('function_executed');
    expect(manifest.settings.org_deploy_enabled).toBe(true);
    expect(manifest.settings.function_runtime).toBe('remote');
  });

  test('its inputs are the ones the step reads, the person asking a user context Slack sets; its outputs the ones it completes with', () => {
    const step = manifest.functions?.[CREATE_ACCOUNT];
    expect(step?.title).toBe('Create an account');
    expect(step?.description).toBeTruthy();
    const inputs = step!.input_parameters;
    expect(Object.keys(inputs.properties).sort()).toEqual(Object.keys(createAccountInputs.shape).sort());
    const slackTypes: Record<string, string> = { user_context: 'slack#/types/user_context', requester: 'slack#/types/user_id' };
    for (const [name, input] of Object.entries(inputs.properties)) {
      expect(input.type, name).toBe(slackTypes[name] ?? 'string');
      expect(input.title, name).toBeTruthy();
    }
    // Who asks is Slack's to say (a builder cannot type a user context); provider or preset: the
    // step checks that one of them is there, so neither is required here.
    expect(inputs.required).toEqual(['user_context', 'reason']);
    expect(Object.keys(step!.output_parameters.properties)).toEqual(['request_id', 'status', 'provider_user_id']);
    expect(step!.output_parameters.required).toEqual(['request_id', 'status']);
  });

  test('the provider input and the /adduser usage hint name every provider the bot has', () => {
    const description = String(manifest.functions?.[CREATE_ACCOUNT]?.input_parameters.properties.provider?.description);
    const hint = readRepoFile('manifest.yml').match(/usage_hint: "([^"]*)"/)?.[1] ?? '';
    for (const provider of providers) {
      expect(description, provider.id).toMatch(new RegExp(`\\b${provider.id}\\b`));
      expect(hint, provider.id).toMatch(new RegExp(`\\b${provider.id}\\b`));
    }
  });
});
