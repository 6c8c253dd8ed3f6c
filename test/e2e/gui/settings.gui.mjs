// GUI: every setting of the extension is listed in the Settings editor's User tab. code-server is a
// remote window (the workbench runs in the browser, the extension host on the server), where VS Code
// shows "machine"-scoped settings only under the Remote tab, so with that scope the User tab would
// say "1 Setting Found". Screenshot: test-output/e2e/settings-user-tab.png.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const title = 'the extension settings are found in the User tab of the Settings editor';

export async function run(wb) {
  const pkg = JSON.parse(readFileSync(join(wb.opts.repoRoot, 'package.json'), 'utf8'));
  const expected = Object.keys(pkg.contributes.configuration.properties).length;
  await wb.open();
  await wb.runCommand('Preferences: Open User Settings');
  const editor = wb.page.locator('.settings-editor');
  await editor.waitFor({ timeout: 30_000 }).catch((e) => {
    throw new Error(`the Settings editor did not open: ${e.message}`);
  });
  const userTab = editor.locator('.settings-tabs-widget .action-label', { hasText: /^User$/ });
  await userTab.waitFor({ timeout: 20_000 });
  if ((await userTab.getAttribute('aria-selected')) !== 'true') await userTab.click({ force: true, timeout: 10_000 });
  // The search box has the focus when the editor opens; clicking it makes sure (after the tab click).
  await editor
    .locator('.search-container')
    .first()
    .click({ force: true, timeout: 5_000 })
    .catch(() => undefined);
  await wb.page.keyboard.press('Control+A');
  await wb.page.keyboard.insertText('@ext:sagemaker-hf.sagemaker-hf'); // one input event: typing is slow on a busy machine
  const count = editor.locator('.settings-count-widget');
  const want = `${expected} Settings Found`;
  await wb.step(`the User tab to say "${want}"`, async () => {
    for (let i = 0; i < 100; i++) {
      const text = (await count.innerText().catch(() => '')).trim();
      if (text === want) return;
      if (/Settings? Found/.test(text) && text !== want) {
        await wb.page.waitForTimeout(1000); // the count settles after the search runs
        const again = (await count.innerText().catch(() => '')).trim();
        if (again !== want)
          throw new Error(`the User tab says "${again}", expected "${want}" (settings hidden under the Remote tab?)`);
        return;
      }
      await wb.page.waitForTimeout(200);
    }
    throw new Error(
      `no settings count after searching: the count widget says "${(await count.innerText().catch(() => '')).trim()}"`,
    );
  });
  const selected = await editor
    .locator('.settings-tabs-widget .action-label[aria-selected="true"]')
    .first()
    .innerText()
    .catch(() => '');
  if (selected.trim() !== 'User') throw new Error(`the selected settings tab is "${selected}", not User`);
  await wb.screenshot('settings-user-tab');
}
