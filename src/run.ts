import { existsSync } from 'node:fs';
import { StartRefused, startBot } from './bot.js';
import { loadConfig, secretValues } from './config/load.js';
import { formatProblems, readPolicyFile } from './config/policy-file.js';
import { createLogger, registerSecretValues } from './logging/logger.js';

if (existsSync('.env')) process.loadEnvFile('.env');

const loaded = loadConfig(process.env);
if (!loaded.ok) {
  process.stderr.write(`${loaded.message}\n`);
  process.exit(1);
}
const { config } = loaded;
registerSecretValues(secretValues(config));
const log = createLogger(config.logLevel);

// A bug in one handler must not take down every other request in flight: log it and go on.
process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled promise rejection'));

const bot = await startBot(config, log).catch((error: unknown) => {
  if (!(error instanceof StartRefused)) throw error;
  process.stderr.write(`adduser-bot cannot start: ${error.message}\n`);
  process.exit(1);
});
log.info(
  { port: bot.port, opsPort: bot.opsPort, mode: config.slack.mode, store: config.storeUrl.split(':')[0], dryRun: config.dryRun },
  `adduser-bot is running (${config.slack.mode === 'socket' ? 'Socket Mode' : 'HTTP mode, POST /slack/events'})`,
);

// SPEC §8: SIGHUP re-reads the policy file; a file with problems changes nothing, and says why.
process.on('SIGHUP', () => {
  // Services that describe their forms are asked again; each says in the log what it answered.
  void bot.rediscover();
  const path = config.policyFile;
  if (!path) {
    log.warn('SIGHUP: no ADDUSER_POLICY_FILE to re-read; the policy variables are read only at start');
    return;
  }
  const read = readPolicyFile(path, config.registry);
  if (!read.ok) {
    log.error({ policyFile: path, problems: read.problems }, `SIGHUP: the policy file has problems; the policy in force is unchanged\n${formatProblems(path, read.problems)}`);
    return;
  }
  bot.replacePolicy(read.policy).then(
    () => log.info({ policyFile: path, policy: read.policy.hash }, 'SIGHUP: the policy file was re-read and is in force on every replica'),
    (error: unknown) => log.error({ err: error, policyFile: path }, 'SIGHUP: the policy is in force here, but the store did not take its version: other replicas keep theirs'),
  );
});

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: finishing provider calls and Slack posts under way');
    // Provider calls have a 20 s deadline; past this something is stuck, and the next start recovers it.
    setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, 45_000).unref();
    bot.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
