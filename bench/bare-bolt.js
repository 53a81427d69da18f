// The floors: a Bolt 5 app configured like adduser-bot (HTTP receiver, no conversation store, the
// same fake Slack) that acks /adduser and, with BARE_MODAL=1, then opens a one-field modal as the
// bot opens its form, so the ratios isolate our own cost. Plain JavaScript so that it starts like
// the compiled bot, with no loader.
import { App, LogLevel } from '@slack/bolt';

const modal = process.env.BARE_MODAL === '1';
const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  signingSecret: process.env.SLACK_SIGNING_SECRET,
  logLevel: LogLevel.ERROR,
  convoStore: false,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
  customRoutes: [{ path: '/healthz', method: ['GET'], handler: (_req, res) => res.end('ok\n') }],
});
app.command('/adduser', async ({ ack, body, client }) => {
  await ack();
  if (!modal) return;
  await client.views.open({
    trigger_id: body.trigger_id,
    view: {
      type: 'modal',
      callback_id: 'bare',
      title: { type: 'plain_text', text: 'Request an account' },
      submit: { type: 'plain_text', text: 'Submit' },
      blocks: [{ type: 'input', block_id: 'email', label: { type: 'plain_text', text: 'Email' }, element: { type: 'plain_text_input', action_id: 'email' } }],
    },
  });
});
const port = Number(process.env.PORT);
await app.start(port);
process.stdout.write(`{"port":${port}}\n`);
process.on('SIGTERM', () => void app.stop().then(() => process.exit(0)));
