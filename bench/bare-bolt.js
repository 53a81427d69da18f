// The baseline: a Bolt 5 app that only acks /adduser, configured like adduser-bot (HTTP
// receiver, no conversation store, the same fake Slack), so the ratio isolates our own cost.
// Plain JavaScript so that it starts like the compiled bot, with no loader.
import { App, LogLevel } from '@slack/bolt';

const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  signingSecret: process.env.SLACK_SIGNING_SECRET,
  logLevel: LogLevel.ERROR,
  convoStore: false,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
  customRoutes: [{ path: '/healthz', method: ['GET'], handler: (_req, res) => res.end('ok\n') }],
});
app.command('/adduser', async ({ ack }) => {
  await ack();
});
const port = Number(process.env.PORT);
await app.start(port);
process.stdout.write(`{"port":${port}}\n`);
process.on('SIGTERM', () => void app.stop().then(() => process.exit(0)));
