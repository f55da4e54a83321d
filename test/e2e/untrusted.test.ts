// Scenario 6, in its own code-server session with Workspace Trust on and the folder not trusted (Restricted
// Mode): validation still works, and Distill Model explains why it is disabled instead of running.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { closeSession, openSession, scenario, type Session } from './session';
import { e2eConfig } from './workspace';
import { waitFor } from './workbench';

describe('Distill Studio in an untrusted workspace', { timeout: 10 * 60_000 }, () => {
  let session: Session | undefined;

  before(async () => {
    session = await openSession(
      'untrusted',
      {
        'security.workspace.trust.enabled': true,
        // No modal at start: the folder opens in Restricted Mode, as after "Don't Trust".
        'security.workspace.trust.startupPrompt': 'never',
      },
      (ws) => {
        const config = e2eConfig('e2e-untrusted', 20);
        config['data'] = { ...(config['data'] as Record<string, unknown>), textColumn: 'txt' };
        ws.writeConfig('untrusted.distill.json', config);
      },
    );
  });
  after(() => closeSession(session));

  it(
    '6. In Restricted Mode validation works and Distill Model explains why it is disabled',
    {
      timeout: 4 * 60_000,
    },
    () =>
      scenario(session, '6 untrusted workspace', async ({ workbench, workspace }) => {
        await workbench.page
          .locator('.statusbar-item', { hasText: 'Restricted Mode' })
          .first()
          .waitFor({ state: 'visible', timeout: 30_000 });

        await workbench.openFile(workspace.path('untrusted.distill.json'));
        const problems = await waitFor('the config problem in the Problems panel', async () => {
          const rows = await workbench.problems();
          return rows.some((r) => r.includes('data-missing-column')) ? rows : undefined;
        });
        assert.match(problems.join('\n'), /txt/, 'the missing column is named');

        await workbench.runCommand('Distill Studio: Distill Model');
        const warning = await workbench.notification(/Distill Model is disabled in Restricted Mode/);
        const text = await warning.innerText();
        assert.match(text, /Config validation still works/);
        assert.match(text, /Manage Workspace Trust/, 'it offers the way out');
        // Nothing ran: no run folder appeared.
        await new Promise((r) => setTimeout(r, 2000));
        assert.ok(!existsSync(workspace.path('runs')), 'no run was started');

        const rows = await workbench.runsView();
        assert.equal(await rows.count(), 0, 'the Runs view is empty');
        await workbench.page
          .locator('.welcome-view-content', { hasText: 'Config validation works in Restricted Mode' })
          .first()
          .waitFor({ state: 'visible', timeout: 15_000 });
      }),
  );
});
