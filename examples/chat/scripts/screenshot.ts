// Takes docs/chat.png, the README's picture: two people chatting on the page, in Chromium.
// Run with `pnpm --filter @strands/example-chat screenshot`.
import { fileURLToPath } from 'node:url';
import { launchChromium } from '@strands/testing';
import { joinChat } from '../test/support/chat-page.js';
import { ADMIN_TOKEN, startChatStack } from '../test/support/stack.js';

const output = fileURLToPath(new URL('../docs/chat.png', import.meta.url));
const stack = await startChatStack({ page: true });
const browser = await launchChromium();
try {
  const ada = await joinChat(browser, stack.pageUrl!, 'ada', 'lobby', ADMIN_TOKEN);
  const grace = await joinChat(browser, stack.pageUrl!, 'grace', 'lobby');
  const linus = await joinChat(browser, stack.pageUrl!, 'linus', 'lobby');
  await ada.say('Morning! Is the new broker up?');
  await grace.waitForLine('new broker up');
  await grace.say('Yes, since 9:00. Backends reconnected on their own.');
  await ada.waitForLine('reconnected on their own');
  await linus.say('@ada can I deploy the chat backend now?');
  await ada.waitForLine('deploy the chat backend', 'dm');
  await ada.say('/announce Deploy window open until 11:00');
  await grace.waitForLine('Deploy window open', 'announce');
  await grace.say('Great, thanks!');
  await ada.waitForLine('Great, thanks!');
  await ada.page.waitForFunction(() => document.querySelectorAll('#who li').length === 3);
  await grace.page.fill('#text', 'typing');
  await grace.page.type('#text', '…');
  await ada.page.waitForFunction(() => document.getElementById('typing')?.textContent?.includes('grace'));
  await ada.page.fill('#text', 'Nice work, everyone');
  await ada.page.screenshot({ path: output });
  console.log(`wrote ${output}`);
} finally {
  await browser.close();
  await stack.stop();
}
