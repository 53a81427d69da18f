import { z } from 'zod';
import { createHttpClient } from '../adapters/http/client.js';
import { createDiscovery } from '../adapters/providers/discovery.js';
import type { AnyProvider } from '../adapters/providers/types.js';
import { createLogger } from '../logging/logger.js';

/**
 * The fields of each provider whose service describes its form (SCIM instances), asked of the
 * service as the bot asks it at start-up: the README's column table for that instance.
 */
export async function describeForms(providers: readonly AnyProvider[], environment: Readonly<Record<string, string>>): Promise<string[]> {
  const lines: string[] = [];
  const settings = new Map<string, ReturnType<AnyProvider['settings']>>();
  for (const provider of providers.filter((candidate) => candidate.discovery)) {
    const parsed = z.object(provider.env).safeParse(environment);
    if (parsed.success) settings.set(provider.id, provider.settings(parsed.data));
    else lines.push(`${provider.label} (${provider.id}): not asked: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  }
  if (settings.size === 0) return lines;
  const http = createHttpClient();
  const asked = providers.filter((provider) => settings.has(provider.id));
  const discovery = createDiscovery({ http, log: createLogger('silent'), providers: asked, settingsOf: (provider) => settings.get(provider.id)! });
  await discovery.refresh();
  await http.close();
  for (const status of discovery.status()) {
    const provider = asked.find((candidate) => candidate.id === status.provider)!;
    lines.push(`${provider.label} (${provider.id}): ${status.state}: ${status.detail}.`);
    lines.push(`  Its fields, which are its CSV columns: ${provider.fields.map((field) => `${field.id}${field.optional ? '' : ' (required)'}`).join(', ')}.`);
  }
  return lines;
}
