import { describe, expect, test } from 'vitest';
import { channel, clip, clipMd, code, codeBlock, date, escapeText, group, joinMd, link, md, mrkdwn, plain, quote, trusted, user } from '../../src/slack/blocks/text.js';

const ZWSP = '\u200B';
const EVIL = '<!channel> <!here> <@U0123ABCD> <https://evil.example|click> ``` & < >';
const ESCAPED = `&lt;!channel&gt; &lt;!here&gt; &lt;@U0123ABCD&gt; &lt;https://evil.example|click&gt; \`${ZWSP}\`${ZWSP}\` &amp; &lt; &gt;`;

describe('clip and plain', () => {
  test('clip keeps text up to the limit and cuts longer text with an ellipsis inside it', () => {
    expect(clip('abc', 3)).toBe('abc');
    expect(clip('abcd', 3)).toBe('ab…');
    expect(clip('', 0)).toBe('');
  });

  test('plain text is unescaped, clipped, with emoji shortcodes on', () => {
    expect(plain('<!here> :tada:')).toEqual({ type: 'plain_text', text: '<!here> :tada:', emoji: true });
    expect(plain('x'.repeat(3_000)).text).toHaveLength(2_000);
    expect(plain('abcdef', 4).text).toBe('abc…');
  });
});

describe('escapeText', () => {
  test('escapes & < > (ampersand first, so nothing is escaped twice) and keeps backticks apart', () => {
    expect(escapeText(EVIL)).toBe(ESCAPED);
    expect(escapeText('&lt;')).toBe('&amp;lt;');
    expect(escapeText('a`b')).toBe('a`b');
    expect(escapeText('``````')).not.toMatch(/``/);
  });

  test('leaves *, _ and ~ alone: they change looks, not who is pinged', () => {
    expect(escapeText('*bold* _it_ ~s~')).toBe('*bold* _it_ ~s~');
  });
});

describe('md', () => {
  test('escapes every interpolated string and number, keeps the literal formatting', () => {
    expect(md`*${EVIL}* · ${42}`.text).toBe(`*${ESCAPED}* · 42`);
  });

  test('keeps mrkdwn made by the helpers as it is, and never escapes it twice', () => {
    const inner = md`x ${'<y>'}`;
    expect(md`${user('U0AB12')} said ${inner}`.text).toBe('<@U0AB12> said x &lt;y&gt;');
    expect(md`${trusted('<!subteam^S0AB>')}`.text).toBe('<!subteam^S0AB>');
  });

  test('joinMd escapes strings among the parts and the separator', () => {
    expect(joinMd([md`*a*`, '<b>', user('U0AB12')], ' & ').text).toBe('*a* &amp; &lt;b&gt; &amp; <@U0AB12>');
  });

  test('mrkdwn makes a text object, clipped', () => {
    expect(mrkdwn(md`${'x'.repeat(50)}`, 10)).toEqual({ type: 'mrkdwn', text: `${'x'.repeat(6)}…` });
  });
});

describe('code', () => {
  test('inline code: a backtick cannot end the span, & < > are escaped', () => {
    expect(code('a`<!here>`b').text).toBe('`aˋ&lt;!here&gt;ˋb`');
  });

  test('code block: text from outside cannot close the fence', () => {
    const block = codeBlock('name```<!channel>').text;
    expect(block).toBe(`\`\`\`name\`${ZWSP}\`${ZWSP}\`&lt;!channel&gt;\`\`\``);
    expect(block.match(/```/g)).toHaveLength(2);
    expect(codeBlock('`edge`').text).toBe(`\`\`\`${ZWSP}\`edge\`${ZWSP}\`\`\``);
    expect(codeBlock('`').text.match(/```/g)).toHaveLength(2);
  });
});

describe('quote', () => {
  test('quotes every line and escapes it', () => {
    expect(quote('one <!here>\ntwo').text).toBe('>one &lt;!here&gt;\n>two');
  });
});

describe('mentions, channels, links, dates', () => {
  test('only real ids become mentions; anything else is shown as text', () => {
    expect(user('U0123ABCD').text).toBe('<@U0123ABCD>');
    expect(user('W0123ABCD').text).toBe('<@W0123ABCD>');
    expect(user('U1><!channel').text).toBe('U1&gt;&lt;!channel');
    expect(user('system').text).toBe('system');
    expect(channel('C0123ABCD').text).toBe('<#C0123ABCD>');
    expect(channel('<!here>').text).toBe('&lt;!here&gt;');
    expect(group('S0123ABCD').text).toBe('<!subteam^S0123ABCD>');
    expect(group('S1><!channel').text).toBe('S1&gt;&lt;!channel');
  });

  test('a link cannot be ended early by its URL or its label', () => {
    expect(link('https://x.example/a|b>c', '<!here>').text).toBe('<https://x.example/a%7Cb&gt;c|&lt;!here&gt;>');
    expect(link('https://x.example', md`in ${channel('C0AB12')}`).text).toBe('<https://x.example|in <#C0AB12>>');
  });

  test('a date falls back to its text; something that is not a date is only text', () => {
    expect(date('2026-01-04T00:00:00.000Z').text).toBe('<!date^1767484800^{date_short_pretty} {time}|2026-01-04T00:00:00.000Z>');
    expect(date('<!here>').text).toBe('&lt;!here&gt;');
  });
});

describe('clipMd', () => {
  test('leaves short text alone', () => {
    const text = md`short`;
    expect(clipMd(text, 10)).toBe(text);
    const exact = md`0123456789`;
    expect(clipMd(exact, 10)).toBe(exact);
    expect(clipMd(md`0123456789a`, 10).text).toBe('012345…');
  });

  test('a cut inside a longer entity drops all of it', () => {
    // `max - 4` = 7 characters keep `abc&amp`: the whole `&amp` goes, not just its last letter.
    expect(clipMd(md`abc${'&'}${'x'.repeat(20)}`, 11).text).toBe('abc…');
  });

  test('a cut after a closed code block adds no fence', () => {
    const clipped = clipMd(md`${codeBlock('ab')} ${'y'.repeat(40)}`, 30).text;
    expect(clipped.match(/```/g)).toHaveLength(2);
    expect(clipped.endsWith('y…')).toBe(true);
  });

  test('never leaves half an entity or half a mention', () => {
    expect(clipMd(md`abcdef${'&'}xyz`, 10).text).toBe('abcdef…');
    expect(clipMd(md`abcd ${user('U0123ABCD')} after`, 14).text).toBe('abcd …');
  });

  test('closes a code block the cut left open', () => {
    const clipped = clipMd(md`see ${codeBlock('x'.repeat(100))}`, 40).text;
    expect(clipped.match(/```/g)).toHaveLength(2);
    expect(clipped.endsWith('…```')).toBe(true);
  });
});
