// Real Chromium for the browser tests: Debian's (never a downloaded one), driven by playwright-core,
// launched in one place so every suite runs the same browser with the same flags.
import { chromium, type Browser } from 'playwright-core';

/** The Chromium binary: `$CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Launches headless Chromium at {@link CHROMIUM_PATH} with flags for a container or CI machine
 * (no sandbox, no GPU, no background traffic or first-run pages). The caller closes it.
 * @example
 * const browser = await launchChromium();
 * try { await (await browser.newPage()).goto(url); } finally { await browser.close(); }
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
