import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Frame, type Locator, type Page } from 'playwright-core';
import { saveReadmeImage, type ReadmeShot } from './readme-images.js';

export const SCREENSHOTS = resolve(__dirname, '../../../test-output/e2e');

/** Debian's Chromium driven by playwright-core, with clipboard access granted to the workbench
 * (so copied values are read the way a paste would, never from a notification). */
export const openBrowser = async (origin: string): Promise<{ browser: Browser; context: BrowserContext; page: Page }> => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  // The page may reach loopback only (the workbench, its webviews' local resources).
  await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/]|localhost[:/])/, (route) => route.abort());
  const page = await context.newPage();
  return { browser, context, page };
};

/** Drives the workbench the way a person does: palette, input boxes, notifications, status bar. */
export class Workbench {
  private shots = 0;

  constructor(readonly page: Page) {
    mkdirSync(SCREENSHOTS, { recursive: true });
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  }

  /** "Developer: Reload Window", until the page has loaded again and the workbench is there. */
  async reloadWindow(): Promise<void> {
    await Promise.all([this.page.waitForEvent('load', { timeout: 60_000 }), this.runCommand('Developer: Reload Window')]);
    await this.page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  }

  /** A screenshot for the test output; `readme` also saves it, small, as one of the README's images. */
  async screenshot(name: string, readme?: ReadmeShot): Promise<string> {
    this.shots += 1;
    const path = join(SCREENSHOTS, `${String(this.shots).padStart(2, '0')}-${name}.png`);
    // Let notification toasts finish fading in.
    await this.page.waitForTimeout(400);
    await this.page.screenshot({ path });
    if (readme) await saveReadmeImage(this.page, readme);
    return path;
  }

  /** Runs one step; on failure saves what the screen showed, for the test output. */
  async step(name: string, body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (error) {
      await this.screenshot(`${name}-FAILED`).catch(() => undefined);
      throw error;
    }
  }

  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /** F1, type the command's title, run it. */
  async runCommand(title: string): Promise<void> {
    const input = this.quickInput.locator('.quick-input-box input');
    // The command's own row is clicked: Enter runs the first row, and the command is not always
    // first ("Preferences: Color Theme" ranks below its Marketplace namesake).
    const row = this.quickInput.locator('.monaco-list-row', { hasText: title }).first();
    // Just after a reload the workbench can take the key before its keybindings are ready, or close
    // the palette again as restored editors take focus: open it afresh and type again, until the
    // row can be clicked (a trial click clicks nothing). The click itself happens once: tried again
    // it could run the command twice (a reload), and it does not wait for a navigation it starts.
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.closeQuickInput();
        await this.page.keyboard.press('F1');
        await input.waitFor({ state: 'visible', timeout: 5_000 });
        await input.fill(`>${title}`, { timeout: 5_000 });
        await row.click({ trial: true, timeout: 10_000 });
        break;
      } catch (error) {
        if (attempt === 4 || (error as Error).name !== 'TimeoutError') throw error;
        await this.page.waitForTimeout(500 * attempt);
      }
    }
    await row.click({ noWaitAfter: true, timeout: 10_000 });
  }

  /** Waits for an input box with the given title and types into it. */
  async answerInput(title: string, text: string, expectPassword = false): Promise<void> {
    await this.quickInput.locator('.quick-input-title', { hasText: title }).waitFor({ timeout: 10_000 });
    const input = this.quickInput.locator('.quick-input-box input');
    if (expectPassword) await this.quickInput.locator('.quick-input-box input[type="password"]').waitFor({ timeout: 5_000 });
    await input.fill(text);
  }

  async closeQuickInput(): Promise<void> {
    if (await this.quickInput.isVisible()) await this.page.keyboard.press('Escape');
  }

  /** Changes a setting in the Settings editor, as a person would, then closes it. */
  async changeSetting(key: string, value: string): Promise<void> {
    await this.runCommand('Preferences: Open User Settings');
    const search = this.page.locator('.settings-editor .settings-header .suggest-input-container');
    await search.waitFor({ timeout: 15_000 });
    await search.click();
    await this.page.keyboard.press('Control+A');
    await this.page.keyboard.type(key);
    const input = this.page.locator(`.settings-editor .settings-tree-container [data-key="${key}"] input`).first();
    await input.waitFor({ timeout: 15_000 });
    await input.click();
    await this.page.keyboard.press('Control+A');
    await this.page.keyboard.type(value);
    // The Settings editor writes on change, after a short delay; leaving the field commits it.
    await this.page.keyboard.press('Tab');
  }

  async closeEditors(): Promise<void> {
    await this.runCommand('View: Close All Editors');
  }

  notification(text: string | RegExp): Locator {
    return this.page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
  }

  async clearNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications');
  }

  statusItem(): Locator {
    return this.page.locator('.part.statusbar [aria-label^="ModAPI model"]').first();
  }

  /** The webview frame (they live in nested iframes) holding `selector` with `text`. */
  async frameWith(selector: string, text: string, timeoutMs = 20_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const frame of this.page.frames()) {
        if (await frame.locator(selector, { hasText: text }).count().catch(() => 0)) return frame;
      }
      await this.page.waitForTimeout(200);
    }
    throw new Error(`no webview shows ${selector} "${text}"`);
  }

  async clipboard(): Promise<string> {
    return this.page.evaluate(() => navigator.clipboard.readText());
  }

  async setClipboard(text: string): Promise<void> {
    await this.page.evaluate((value) => navigator.clipboard.writeText(value), text);
  }
}
