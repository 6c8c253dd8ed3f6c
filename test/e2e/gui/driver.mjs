// A small driver for the real VS Code workbench (code-server) in Debian's chromium via playwright-core.
// GUI scenarios (test/e2e/gui/*.gui.mjs) get a Workbench and use these helpers instead of raw selectors,
// so a VS Code DOM change is fixed in one place. Every wait has a timeout with a message saying what
// was awaited; a failing scenario leaves test-output/e2e/<scenario>-failure.png behind (see runner.mjs).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

/** The workbench URL of code-server at `base` with `folder` open; optional dev extension and tests (payload). */
export function workbenchUrl(base, { folder, extensionDevelopmentPath, extensionTestsPath } = {}) {
  const host = new URL(base).host;
  const payload = [];
  if (extensionDevelopmentPath)
    payload.push(['extensionDevelopmentPath', `vscode-remote://${host}${extensionDevelopmentPath}`]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', `vscode-remote://${host}${extensionTestsPath}`]);
  const q = new URLSearchParams();
  if (folder) q.set('folder', folder);
  if (payload.length) q.set('payload', JSON.stringify(payload));
  return `${base}/?${q.toString()}`;
}

async function within(what, ms, promise) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export class Workbench {
  /** @param {import('playwright-core').Page} page  @param {{base:string, folder:string, repoRoot:string, outDir:string}} opts */
  constructor(page, opts) {
    this.page = page;
    this.opts = opts;
  }

  /** Opens the workbench with the extension under development loaded and waits until it is usable. */
  async open({ timeoutMs = 60_000 } = {}) {
    const url = workbenchUrl(this.opts.base, {
      folder: this.opts.folder,
      extensionDevelopmentPath: this.opts.repoRoot,
    });
    await this.page.goto(url, { timeout: timeoutMs });
    await this.page
      .locator('.monaco-workbench')
      .waitFor({ timeout: timeoutMs })
      .catch((e) => {
        throw new Error(`the workbench (.monaco-workbench) did not appear within ${timeoutMs} ms: ${e.message}`);
      });
    // The activity bar is the last part to render; our container being there means contributions are loaded.
    await this.activityItem('SageMaker HF')
      .waitFor({ timeout: timeoutMs })
      .catch((e) => {
        throw new Error(`the "SageMaker HF" activity-bar item did not appear (extension not loaded?): ${e.message}`);
      });
  }

  activityItem(title) {
    return this.page.locator(`.activitybar [aria-label^="${title}"]`).first();
  }

  /** Opens a view container from the activity bar (no-op if already open). */
  async openContainer(title, { timeoutMs = 20_000 } = {}) {
    const item = this.activityItem(title);
    await item.waitFor({ timeout: timeoutMs });
    const checked =
      (await item.getAttribute('aria-checked').catch(() => null)) ??
      (await item
        .locator('..')
        .getAttribute('aria-checked')
        .catch(() => null));
    const sidebarTitle = this.page.locator('.sidebar .composite.title h2', { hasText: title });
    if (checked !== 'true' || !(await sidebarTitle.isVisible().catch(() => false))) await item.click();
    await sidebarTitle.waitFor({ timeout: timeoutMs }).catch((e) => {
      throw new Error(`the side bar did not show "${title}": ${e.message}`);
    });
  }

  /** Runs a command from the palette (F1) by its title as shown there, e.g. "SageMaker HF: Connect to AWS". */
  async runCommand(title, { timeoutMs = 20_000 } = {}) {
    const page = this.page;
    await this.dismissPalette();
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: timeoutMs }).catch((e) => {
      throw new Error(`the command palette did not open on F1: ${e.message}`);
    });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ timeout: timeoutMs }).catch((e) => {
      throw new Error(`no palette entry "${title}": ${e.message}`);
    });
    await page.keyboard.press('Enter');
    await input.waitFor({ state: 'hidden', timeout: timeoutMs }).catch(() => undefined);
  }

  async dismissPalette() {
    if (
      await this.page
        .locator('.quick-input-widget input')
        .isVisible()
        .catch(() => false)
    )
      await this.page.keyboard.press('Escape');
  }

  /**
   * A tree/list row containing `text` (anywhere: label or description), optionally inside the view titled
   * `view` (e.g. "Job Specs"); with `exact: true` the row whose label is exactly `text`.
   */
  treeRow(text, { view, exact = false } = {}) {
    const scope = view ? this.viewPane(view) : this.page.locator('.sidebar');
    if (!exact) return scope.locator('.monaco-list-row', { hasText: text }).first();
    const label = this.page.locator('.label-name', {
      hasText: new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`),
    });
    return scope.locator('.monaco-list-row', { has: label }).first();
  }

  /**
   * Collapses every top-level section of the tree in view `view` except the one whose label starts with
   * `keep`, and expands that one, as a user makes room at a small window size. Rows of a virtualised list
   * exist in the DOM only while on screen, so a scenario that reads a row deep in the tree does this first.
   */
  async showOnlySection(keep, { view } = {}) {
    const scope = view ? this.viewPane(view) : this.page.locator('.sidebar');
    for (let round = 0; round < 20; round++) {
      const rows = scope.locator('.monaco-list-row[aria-level="1"]');
      const n = await rows.count();
      let changed = false;
      for (let i = 0; i < n; i++) {
        const r = rows.nth(i);
        const label = ((await r.locator('.label-name').first().textContent()) ?? '').trim();
        const expanded = await r.getAttribute('aria-expanded');
        const want = label.startsWith(keep) ? 'true' : 'false';
        if (expanded === null || expanded === want) continue;
        await r.locator('.monaco-tl-twistie').click();
        changed = true;
        break;
      }
      if (!changed) return;
      await this.page.waitForTimeout(150);
    }
  }

  /** Waits for a tree row (see treeRow); returns its locator. */
  async waitForTreeRow(text, { view, exact, timeoutMs = 30_000 } = {}) {
    const row = this.treeRow(text, { view, exact });
    await row.waitFor({ timeout: timeoutMs }).catch((e) => {
      throw new Error(`no tree row "${text}"${view ? ` in view "${view}"` : ''} within ${timeoutMs} ms: ${e.message}`);
    });
    return row;
  }

  /** The pane of a view inside the open container, found by its header title. */
  viewPane(title) {
    return this.page.locator('.sidebar .pane', { has: this.page.locator('.pane-header', { hasText: title }) }).first();
  }

  /** Waits for a notification toast containing `text`; returns its locator. */
  async waitForNotification(text, { timeoutMs = 30_000 } = {}) {
    const toast = this.page.locator('.notification-toast', { hasText: text }).first();
    await toast.waitFor({ timeout: timeoutMs }).catch((e) => {
      throw new Error(`no notification "${text}" within ${timeoutMs} ms: ${e.message}`);
    });
    return toast;
  }

  /**
   * The notification containing `text`, as a toast or, once the toast has hidden, in the notification
   * centre (opened for it); fails naming `what` and listing the notifications there.
   */
  async waitForMessage(text, { what = `"${text}"`, toastMs = 10_000, centerMs = 20_000 } = {}) {
    const toast = await this.waitForNotification(text, { timeoutMs: toastMs }).catch(() => undefined);
    if (toast) return toast;
    await this.runCommand('Notifications: Show Notifications');
    const item = this.page.locator('.notifications-center .notification-list-item', { hasText: text }).first();
    await item.waitFor({ timeout: centerMs }).catch(async (e) => {
      const notes = await this.page.locator('.notifications-center .notification-list-item').allTextContents();
      throw new Error(`no ${what} (${e.message}); notifications: ${notes.join(' | ') || 'none'}`);
    });
    return item;
  }

  /** Text of the status bar item whose text/label contains `text` (waits for it). */
  async statusBarItem(text, { timeoutMs = 30_000 } = {}) {
    const item = this.page.locator('.statusbar-item', { hasText: text }).first();
    await item.waitFor({ timeout: timeoutMs }).catch((e) => {
      throw new Error(`no status bar item "${text}" within ${timeoutMs} ms: ${e.message}`);
    });
    return item;
  }

  /** Drags the side bar's edge so it is `width` px wide (long tree labels readable in screenshots). */
  async widenSideBar(width) {
    const box = await this.page.locator('.part.sidebar').boundingBox();
    if (!box) return;
    const edge = box.x + box.width;
    await this.page.mouse.move(edge + 1, box.y + box.height / 2);
    await this.page.mouse.down();
    await this.page.mouse.move(box.x + width, box.y + box.height / 2, { steps: 5 });
    await this.page.mouse.up();
  }

  /** Closes every notification toast (so a screenshot shows the UI, not stale toasts). */
  async clearNotifications() {
    await this.runCommand('Notifications: Clear All Notifications').catch(() => undefined);
  }

  /** Saves test-output/e2e/<name>.png (or `path` when given) and returns the path. */
  async screenshot(name, { path, fullPage = false } = {}) {
    mkdirSync(this.opts.outDir, { recursive: true });
    const file = path ?? join(this.opts.outDir, `${name}.png`);
    await within(`screenshot ${name}`, 20_000, this.page.screenshot({ path: file, fullPage }));
    return file;
  }

  /**
   * Clicks a tree row's inline action (shown on hover) that opens a webview editor titled `tab`, and
   * returns the page's frame once `#title` shows `title`. A tree refresh can redraw the row under the
   * pointer between hover and click, and the click then selects the row instead: when no tab opens, the
   * action is clicked once more. A tab that opens but whose page never shows its title fails, with what
   * the page did show.
   */
  async openWebviewFromRow(row, action, { tab, title, timeoutMs = 30_000 }) {
    const tabLocator = this.page.locator('.tabs-container .tab', { hasText: tab }).first();
    for (let attempt = 1; ; attempt++) {
      await row.hover();
      const button = row.locator(`.actions [aria-label^="${action}"]`).first();
      await button.waitFor({ timeout: 10_000 }).catch((e) => {
        throw new Error(`no "${action}" inline action on the row: ${e.message}`);
      });
      await button.click();
      const opened = await tabLocator.waitFor({ timeout: 10_000 }).then(
        () => true,
        () => false,
      );
      if (opened) break;
      if (attempt === 2) throw new Error(`"${action}" opened no "${tab}" tab after two clicks`);
    }
    const frame = this.page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
    await frame
      .locator('#title', { hasText: title })
      .waitFor({ timeout: timeoutMs })
      .catch(async (e) => {
        const frames = await this.page.locator('iframe.webview').count();
        const shown = await frame
          .locator('body')
          .innerText({ timeout: 2000 })
          .catch(() => '(no page body)');
        throw new Error(
          `the "${tab}" page did not show "${title}" within ${timeoutMs} ms (${frames} webview frame(s); page: ${JSON.stringify(shown.slice(0, 300))}): ${e.message}`,
        );
      });
    return frame;
  }

  /** Runs fn with a timeout that names the step. */
  step(what, fn, timeoutMs = 30_000) {
    return within(what, timeoutMs, fn());
  }
}
