// Drives the VS Code workbench in the browser the way a user does (command palette, quick picks, notifications,
// views, context menus) and reads what is on screen. Selectors are VS Code's own DOM classes (code-server
// 4.139.1 = VS Code 1.139); each is used in one place here, so a workbench update touches this file only.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import type { CodeServer } from './codeServer';

/** Polls `probe` until it returns a value other than undefined/false; the error names `what` was awaited. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(
        `Timed out after ${timeoutMs / 1000} s waiting for ${what}` +
          (last instanceof Error ? ` (last error: ${last.message.split('\n')[0]})` : ''),
      );
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Every file under `dir` whose name ends with `suffix` (small trees: a profile's logs). */
function findFiles(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(suffix))
    .map((f) => join(dir, f));
}

export class Workbench {
  /** Errors and warnings the page and its frames (webviews included) logged, newest last, at most 200. */
  private readonly consoleLines: string[] = [];

  private constructor(
    readonly page: Page,
    readonly server: CodeServer,
  ) {
    const keep = (line: string): void => {
      this.consoleLines.push(line.slice(0, 400));
      if (this.consoleLines.length > 200) this.consoleLines.shift();
    };
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') keep(`[${m.type()}] ${m.text()}`);
    });
    page.on('pageerror', (e) => keep(`[pageerror] ${e.message}`));
  }

  /** The browser console's errors and warnings so far (the webview host reports its failures there). */
  consoleErrors(): readonly string[] {
    return this.consoleLines;
  }

  /** Opens the workbench and waits until Distill Studio has activated (its output channel exists). */
  static async open(browser: Browser, server: CodeServer): Promise<Workbench> {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const workbench = new Workbench(page, server);
    await page.goto(server.url);
    await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
    await waitFor('Distill Studio to activate (its log file)', () => workbench.extensionLogFile(), 90_000);
    return workbench;
  }

  // ---- command palette and quick input -----------------------------------------------------------------

  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /** Rows of the open quick pick. */
  get quickPickRows(): Locator {
    return this.quickInput.locator('.quick-input-list .monaco-list-row');
  }

  /** Runs a command from the palette by its title, as a user types it ("Distill Studio: Distill Model"). */
  async runCommand(title: string): Promise<void> {
    // A webview that loads or reveals itself takes the focus, which closes an open palette under the pointer:
    // when the pick does not land, open the palette again (three tries).
    for (let attempt = 1; ; attempt++) {
      try {
        await this.tryCommand(title, attempt < 3 ? 5000 : 30_000);
        return;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
  }

  private async tryCommand(title: string, clickTimeoutMs: number): Promise<void> {
    await this.closeQuickInput();
    const input = this.quickInput.locator('input');
    // With the focus inside a webview (the dashboard), keys go to its iframe, which forwards them to the
    // workbench late or not at all: take the focus back to the workbench page first.
    await this.page.evaluate("document.activeElement?.tagName === 'IFRAME' && document.activeElement.blur()");
    // The palette's input is sometimes inert for a moment after it opens over a busy webview: close and reopen.
    await waitFor(
      'the command palette to take input',
      async () => {
        await this.page.keyboard.press('F1');
        await input.waitFor({ state: 'visible' });
        const typed = await input
          .fill(`>${title}`, { timeout: 3000 })
          .then(() => true)
          .catch(() => false);
        if (!typed) await this.page.keyboard.press('Escape');
        return typed;
      },
      30_000,
    );
    const row = this.quickPickRows.filter({
      has: this.page.locator('.label-name', { hasText: new RegExp(`^${escape(title)}$`) }),
    });
    await waitFor(`"${title}" in the command palette`, async () => (await row.count()) > 0, 15_000);
    await row.first().click({ timeout: clickTimeoutMs });
  }

  /** The labels the open quick pick offers. */
  async quickPickLabels(): Promise<string[]> {
    await this.quickInput.waitFor({ state: 'visible' });
    return this.quickPickRows.locator('.label-name').allInnerTexts();
  }

  /** Picks the row whose label matches in the open quick pick. */
  async pick(label: string | RegExp): Promise<void> {
    const pattern = typeof label === 'string' ? new RegExp(`^${escape(label)}$`) : label;
    const row = this.quickPickRows.filter({ has: this.page.locator('.label-name', { hasText: pattern }) });
    await waitFor(
      `"${String(label)}" in the quick pick`,
      async () => (await this.quickInput.isVisible()) && (await row.count()) > 0,
      15_000,
    );
    await row.first().click();
  }

  /** The value of the open quick input's text box once it has one (a save dialog shows the path there). */
  async quickInputValue(): Promise<string> {
    const input = this.quickInput.locator('input');
    await input.waitFor({ state: 'visible' });
    return waitFor('a value in the quick input', async () => (await input.inputValue()) || undefined, 10_000);
  }

  /** Accepts the open quick input (Enter). */
  async acceptQuickInput(): Promise<void> {
    await this.quickInput.locator('input').press('Enter');
  }

  /**
   * Back to a plain workbench between scenarios: menus and pickers closed, editors closed without saving (a
   * scenario that failed half-way may leave a quick fix menu open or a config edited).
   */
  async reset(): Promise<void> {
    for (let i = 0; i < 3; i++) await this.page.keyboard.press('Escape');
    await this.runCommand('View: Close All Editors');
    const dontSave = this.page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Don't Save$/ });
    if (await dontSave.isVisible({ timeout: 1000 }).catch(() => false)) await dontSave.click();
  }

  async closeQuickInput(): Promise<void> {
    if (await this.quickInput.isVisible()) await this.page.keyboard.press('Escape');
  }

  /**
   * Opens a file through File: Open File... (VS Code's own dialog in the browser: a path box). Quick Open would
   * be shorter, but its file index misses files written a moment ago.
   */
  async openFile(path: string): Promise<void> {
    const name = path.split('/').pop() ?? path;
    const tab = this.page.locator('.tabs-container .tab.active', { hasText: name });
    await this.runCommand('File: Open File...');
    const input = this.quickInput.locator('input');
    // The dialog fills in the workspace folder and lists it a moment after it opens, and may rewrite the box
    // while it does: wait for the listing, then type the path (again, if the dialog overwrote it).
    await waitFor(
      'the Open File dialog to list the folder',
      async () => (await this.quickPickRows.count()) > 0,
    );
    await waitFor(
      `${name} to open`,
      async () => {
        if (await tab.isVisible()) return true;
        if (!(await this.quickInput.isVisible())) await this.runCommand('File: Open File...');
        await input.fill(path);
        if ((await input.inputValue()) === path) await input.press('Enter');
        await tab.waitFor({ state: 'visible', timeout: 3000 }).catch(() => undefined);
        return tab.isVisible();
      },
      30_000,
    );
  }

  // ---- notifications ------------------------------------------------------------------------------------

  private toasts(): Locator {
    return this.page.locator('.notifications-toasts .notification-list-item');
  }

  /** Waits for a notification toast whose message matches; returns it (its buttons are inside). */
  async notification(message: RegExp, timeoutMs = 30_000): Promise<Locator> {
    const toast = this.toasts().filter({
      has: this.page.locator('.notification-list-item-message', { hasText: message }),
    });
    await waitFor(`a notification matching ${message}`, async () => (await toast.count()) > 0, timeoutMs);
    return toast.first();
  }

  /**
   * Waits until a notification matching `message` has been shown, as a toast or, once its toast has timed out
   * (VS Code hides info toasts after a while), in the notification centre.
   */
  async notificationSeen(message: RegExp, timeoutMs = 30_000): Promise<string> {
    return waitFor(
      `a notification matching ${message}`,
      async () => {
        const toasts = await this.page
          .locator('.notifications-toasts .notification-list-item-message')
          .allInnerTexts()
          .catch(() => []);
        const toast = toasts.find((text) => message.test(text));
        if (toast !== undefined) return toast;
        await this.runCommand('Notifications: Show Notifications');
        const centre = this.page.locator('.notifications-center .notification-list-item-message');
        await centre
          .first()
          .waitFor({ state: 'visible', timeout: 2000 })
          .catch(() => undefined);
        const listed = (await centre.allInnerTexts().catch(() => [])).find((text) => message.test(text));
        await this.runCommand('Notifications: Hide Notifications');
        return listed;
      },
      timeoutMs,
    );
  }

  /** Clicks a button of a notification (waiting for the notification first). */
  async clickNotificationButton(message: RegExp, button: string, timeoutMs = 30_000): Promise<void> {
    const toast = await this.notification(message, timeoutMs);
    await toast.hover();
    await toast.locator('.monaco-button', { hasText: new RegExp(`^${escape(button)}$`) }).click();
  }

  /** The text of every notification still around (toasts and the notification centre). */
  async notificationTexts(): Promise<string[]> {
    const read = (selector: string): Promise<string[]> =>
      this.page
        .locator(`${selector} .notification-list-item-message`)
        .allInnerTexts()
        .catch(() => []);
    const texts = new Set([
      ...(await read('.notifications-toasts')),
      ...(await read('.notifications-center')),
    ]);
    return [...texts];
  }

  /** Hides all toasts, so a later wait sees only new ones. */
  async clearNotifications(): Promise<void> {
    await this.runCommand('Notifications: Clear All Notifications');
  }

  // ---- views --------------------------------------------------------------------------------------------

  /** Shows the Runs view and returns its tree rows. */
  async runsView(): Promise<Locator> {
    const pane = this.page.locator('.pane', { has: this.page.locator('.pane-header', { hasText: /Runs/ }) });
    // Already on screen: read it as it is (no palette round trip while a run redraws the dashboard).
    if (!(await pane.isVisible())) await this.runCommand('Distill Studio: Focus on Runs View');
    await pane.waitFor({ state: 'visible' });
    return pane.locator('.monaco-list-row');
  }

  /** The Runs view row of the run called `name` (its accessible label is "<name>, <status>"). */
  async runRow(name: string): Promise<Locator> {
    const rows = await this.runsView();
    return rows.filter({
      has: this.page.locator('.label-name', { hasText: new RegExp(`^${escape(name)}$`) }),
    });
  }

  /** Waits until the run's row description (status · stage · metric · duration) matches. */
  async waitForRun(name: string, description: RegExp, timeoutMs: number): Promise<string> {
    const row = await this.runRow(name);
    return waitFor(
      `the Runs view to show "${name}" matching ${description}`,
      async () => {
        if ((await row.count()) === 0) return undefined;
        const text = await row.first().locator('.label-description').innerText();
        return description.test(text) ? text : undefined;
      },
      timeoutMs,
      500,
    );
  }

  /** Clicks an inline action (hover icon) of a Runs view row. */
  async clickRunAction(name: string, action: string): Promise<void> {
    const row = (await this.runRow(name)).first();
    await row.hover();
    await row.locator(`.actions .action-label[aria-label^="${action}"]`).click({ timeout: 5000 });
  }

  /** Right-clicks a Runs view row and chooses a context-menu entry. */
  async runContextMenu(name: string, entry: string): Promise<void> {
    const row = (await this.runRow(name)).first();
    await row.click({ button: 'right' });
    const item = this.page.locator('.monaco-menu .action-item .action-label', {
      hasText: new RegExp(`^${escape(entry)}$`),
    });
    await chooseMenuItem(this.page, item.first());
  }

  /** Opens the Problems panel and returns the text of its rows. */
  async problems(): Promise<string[]> {
    await this.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    const rows = this.page.locator('.markers-panel .monaco-list-row');
    await rows
      .first()
      .waitFor({ state: 'visible', timeout: 15_000 })
      .catch(() => undefined);
    return rows.allInnerTexts();
  }

  // ---- what went on: screenshots and logs ---------------------------------------------------------------

  async screenshot(path: string): Promise<string> {
    await this.page.screenshot({ path, fullPage: false });
    return path;
  }

  /** The Distill Studio output channel's backing file (VS Code writes each channel to the profile's logs). */
  extensionLogFile(): string | undefined {
    const files = findFiles(join(this.server.userDataDir, 'logs'), 'Distill Studio.log');
    return files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  }

  /** The Distill Studio output channel: the extension's log and the trainer's stdout/stderr. */
  extensionLog(): string {
    const file = this.extensionLogFile();
    return file === undefined ? '(no Distill Studio log yet: did the extension activate?)' : read(file);
  }

  /** Extension-host errors (activation failures land there). */
  extensionHostErrors(): string {
    return findFiles(join(this.server.userDataDir, 'logs'), 'exthost.log')
      .map(read)
      .join('\n')
      .split('\n')
      .filter((line) => /\[error\]/i.test(line))
      .join('\n');
  }
}

/**
 * Runs a context-menu entry. VS Code's menus act on keyboard or mouse-up after hover; a bare click right after
 * the menu opens is sometimes swallowed, so hover (which focuses the entry) and press Enter, as keyboard users do.
 */
export async function chooseMenuItem(page: Page, item: Locator): Promise<void> {
  await item.waitFor({ state: 'visible', timeout: 15_000 });
  await item.hover();
  await page.keyboard.press('Enter');
  await item.waitFor({ state: 'hidden', timeout: 5000 });
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return `(cannot read ${file})`;
  }
}

/** Escapes a string for use inside a RegExp. */
export function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
