// Scenarios in a trusted workspace, in one code-server session on a copy of examples/reviews: the webview
// helper proven on the built webview shell, then 1 distil from the palette, 2 diagnostics and a quick fix,
// 3 export and benchmark from the Runs view, 4 the Attention tab, 5 stop and resume.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dashboardSelectors, webviewFrame, webviewText } from './dashboard';
import { closeSession, openSession, scenario, type Session } from './session';
import { dashboardPlaceholder, readEvents } from './runs';
import { e2eConfig } from './workspace';
import { chooseMenuItem, waitFor } from './workbench';

const MINUTE = 60_000;

describe('Distill Studio in a trusted workspace', { timeout: 20 * MINUTE }, () => {
  let session: Session | undefined;

  before(async () => {
    session = await openSession('trusted', { 'security.workspace.trust.enabled': false }, (ws) => {
      ws.writeConfig('e2e.distill.json', e2eConfig('e2e-reviews', 160));
    });
  });
  after(() => closeSession(session));

  it(
    'reads the DOM inside a webview (the built webview shell in a probe panel)',
    { timeout: 3 * MINUTE },
    () =>
      scenario(session, 'webview helper', async ({ workbench }) => {
        await workbench.runCommand('Distill Studio E2E: Open Webview Probe');
        const frame = await webviewFrame(workbench.page, 'distill-studio-e2e.webview-probe');
        // The shell renders the host's snapshot: proves scripts run under the nonce CSP and messages round-trip.
        const status = await webviewText(frame, '#status', /probe-run/);
        assert.equal(status, 'probe-run (실행)');
        await workbench.runCommand('View: Close All Editors');
      }),
  );

  it(
    '1. Distill Model from the palette: the run starts, finishes and shows its metric in the Runs view',
    {
      timeout: 6 * MINUTE,
    },
    (t) =>
      scenario(session, '1 distill model', async ({ workbench, workspace, server }) => {
        await workbench.runCommand('Distill Studio: Distill Model');
        await workbench.notification(/Distilling e2e-reviews/, 60_000);
        const running = await workbench.waitForRun('e2e-reviews', /^(running|setting up)/, 60_000);
        t.diagnostic(`Runs view while training: ${running}`);

        const placeholder = dashboardPlaceholder(server);
        await t.test(
          'the dashboard opens and the loss curve gains points',
          { skip: placeholder },
          async () => {
            const frame = await webviewFrame(workbench.page);
            await frame.locator(dashboardSelectors.tab('Training')).click();
            const points = async (): Promise<number> =>
              Number(await frame.locator(dashboardSelectors.lossChart).getAttribute('data-points'));
            const first = await waitFor(
              'the loss curve to have points',
              async () => (await points()) > 0 && points(),
            );
            await waitFor('the loss curve to gain points', async () => (await points()) > first, 3 * MINUTE);
          },
        );

        const done = await workbench.waitForRun('e2e-reviews', /^done/, 5 * MINUTE);
        assert.match(done, /^done · acc \d+\.\d% · \d+(s|m\d\ds)$/, 'the Runs view shows the best accuracy');
        await workbench.notification(/"e2e-reviews" finished: best accuracy \d+\.\d%/);
        const events = readEvents(workspace.path('runs/e2e-reviews'));
        const end = events.find((e) => e.type === 'done');
        assert.ok(end !== undefined, 'events.jsonl records the end of the run');
        assert.equal(end.payload['globalStep'], 40 + 160);
        assert.ok(
          existsSync(workspace.path('runs/e2e-reviews/final/model.safetensors')),
          'final/ holds the model',
        );
      }),
  );

  it(
    '2. A broken config shows diagnostics in the editor and the Problems panel; a quick fix repairs one',
    {
      timeout: 3 * MINUTE,
    },
    () =>
      scenario(session, '2 diagnostics and quick fix', async ({ workbench, workspace }) => {
        const broken = e2eConfig('e2e-broken', 20);
        const losses = broken['losses'] as Record<string, Record<string, unknown>>;
        losses['hidden'] = { ...losses['hidden'], projection: false };
        broken['data'] = { ...(broken['data'] as Record<string, unknown>), labelColumn: 'lable' };
        const file = workspace.writeConfig('broken.distill.json', broken);

        await workbench.openFile(file);
        const editor = workbench.page.locator('.editor-instance .monaco-editor').first();
        // The editor renders only the lines in view; the misspelt column (line ~43) is on screen.
        await waitFor(
          'an error squiggle under the bad column name',
          async () =>
            (await editor.locator('.view-lines .view-line', { hasText: '"lable"' }).count()) > 0 &&
            (await editor.locator('.squiggly-error').count()) > 0,
        );
        const problems = await waitFor('both problems in the Problems panel', async () => {
          const rows = await workbench.problems();
          const text = rows.join('\n');
          return /hidden-width-mismatch/.test(text) && /data-missing-column/.test(text) ? rows : undefined;
        });
        const hidden = problems.find((r) => r.includes('hidden-width-mismatch')) ?? '';
        assert.match(hidden, /projection/, 'the width mismatch says how to fix it');
        const column = problems.find((r) => r.includes('data-missing-column')) ?? '';
        assert.match(column, /lable/, 'the missing column is named');

        // Click the problem (the cursor goes to it), then the quick fix menu (Ctrl+.). The Problems list
        // re-renders while validation settles, which can eat a click: try again until the menu shows.
        const fix = workbench.page
          .locator('.context-view')
          .getByText('Add a projection to the hidden loss', { exact: true });
        await waitFor('the quick fix menu', async () => {
          await workbench.page
            .locator('.markers-panel .monaco-list-row', { hasText: 'hidden-width-mismatch' })
            .first()
            .click();
          await workbench.page.keyboard.press('Control+.');
          return fix
            .first()
            .waitFor({ state: 'visible', timeout: 3000 })
            .then(() => true)
            .catch(() => false);
        });
        await chooseMenuItem(workbench.page, fix.first());
        await workbench.page.keyboard.press('Control+S');

        await waitFor('the fixed problem to leave the Problems panel', async () => {
          const text = (await workbench.problems()).join('\n');
          return !/hidden-width-mismatch/.test(text) && /data-missing-column/.test(text);
        });
        await waitFor('the saved config to hold the projection', () =>
          /"hidden":\s*\{[^}]*"projection":\s*true/.test(readFileSync(file, 'utf8')),
        );
        await workbench.runCommand('View: Close All Editors');
      }),
  );

  it('3. Export to ONNX and Benchmark ONNX Model from the Runs view', { timeout: 5 * MINUTE }, (t) =>
    scenario(session, '3 export and benchmark', async ({ workbench, workspace, server }) => {
      await workbench.waitForRun('e2e-reviews', /^done/, 10_000);
      await workbench.clearNotifications();
      await workbench.runContextMenu('e2e-reviews', 'Export to ONNX');
      await workbench.pick('fp32');
      // The save dialog (VS Code's simple dialog in the browser) proposes runs/<name>/onnx/<name>.onnx.
      // It shows the folder first, then adds the file name.
      const proposed = await waitFor(
        'the proposed file name',
        async () => {
          const value = await workbench.quickInputValue();
          return value.endsWith('.onnx') ? value : undefined;
        },
        10_000,
      ).catch(() => workbench.quickInputValue());
      assert.match(proposed, /runs\/e2e-reviews\/onnx\/e2e-reviews\.onnx$/);
      await workbench.acceptQuickInput();
      await workbench.notification(
        /Exported .*e2e-reviews\.onnx .*max \|diff\| from the trained model/,
        3 * MINUTE,
      );
      const onnx = workspace.path('runs/e2e-reviews/onnx/e2e-reviews.onnx');
      assert.ok(existsSync(onnx), `${onnx} was written`);

      await workbench.clearNotifications();
      await workbench.runContextMenu('e2e-reviews', 'Benchmark ONNX Model');
      const result = await workbench.notification(
        /Benchmarked .*p50 [\d.]+ ms at batch 1 x 32 tokens/,
        3 * MINUTE,
      );
      t.diagnostic(`benchmark: ${await result.locator('.notification-list-item-message').innerText()}`);
      assert.ok(existsSync(`${onnx.slice(0, -'.onnx'.length)}.bench.json`), 'results saved beside the model');
      // "Show Table" opens the log, where the table is.
      await workbench.clickNotificationButton(/Benchmarked/, 'Show Table');
      await waitFor('the benchmark table in the log', () => /p50/.test(workbench.extensionLog()));

      await t.test(
        'the results appear in the Benchmark tab',
        { skip: dashboardPlaceholder(server) },
        async () => {
          await workbench.runContextMenu('e2e-reviews', 'Open Dashboard');
          const frame = await webviewFrame(workbench.page);
          await frame.locator(dashboardSelectors.tab('Benchmark')).click();
          await waitFor(
            'a benchmark row for the exported model',
            async () =>
              (await frame.locator(dashboardSelectors.benchmarkRow, { hasText: 'e2e-reviews' }).count()) > 0,
          );
        },
      );
    }),
  );

  it(
    '4. The Attention tab shows teacher, student and diff heatmaps with token labels',
    { timeout: 3 * MINUTE },
    (t) => {
      const placeholder = session !== undefined ? dashboardPlaceholder(session.server) : undefined;
      if (placeholder !== undefined) return t.skip(placeholder);
      return scenario(session, '4 attention tab', async ({ workbench }) => {
        await workbench.runContextMenu('e2e-reviews', 'Open Dashboard');
        const frame = await webviewFrame(workbench.page);
        await frame.locator(dashboardSelectors.tab('Attention')).click();
        for (const which of ['teacher', 'student', 'diff'] as const) {
          const map = frame.locator(dashboardSelectors.heatmap(which));
          await map.waitFor({ state: 'visible' });
          const tokens = await map.locator(dashboardSelectors.heatmapToken).allInnerTexts();
          assert.ok(tokens.includes('[CLS]'), `the ${which} heatmap labels its tokens (${tokens.join(' ')})`);
        }
      });
    },
  );

  it('5. Stop during a run leaves a checkpoint; Resume finishes it', { timeout: 8 * MINUTE }, (t) =>
    scenario(session, '5 stop and resume', async ({ workbench, workspace }) => {
      const steps = 400;
      await workbench.openFile(workspace.writeConfig('stop.distill.json', e2eConfig('e2e-stop', steps)));
      await workbench.clearNotifications();
      // The active editor's config is the one Distill Model runs.
      await workbench.runCommand('Distill Studio: Distill Model');
      const running = await workbench.waitForRun(
        'e2e-stop',
        /^running · distill 2\/2 · step ([3-9]\d|\d{3,})\//,
        4 * MINUTE,
      );
      t.diagnostic(`stopping at: ${running}`);
      // A running row is re-rendered on every step, which can eat the click: retry until the stop registers.
      await waitFor('the stop to register', async () => {
        await workbench.clickRunAction('e2e-stop', 'Stop Run');
        return workbench
          .notification(/saving a checkpoint, then stopping|stopped with a checkpoint/, 3000)
          .then(() => true)
          .catch(() => false);
      });
      await workbench.notification(
        /"e2e-stop" stopped with a checkpoint\. Resume continues from it\./,
        2 * MINUTE,
      );
      const stopped = await workbench.waitForRun('e2e-stop', /^stopped/, 30_000);
      t.diagnostic(`Runs view after stop: ${stopped}`);

      const runDir = workspace.path('runs/e2e-stop');
      const signal = readEvents(runDir).find(
        (e) => e.type === 'checkpoint' && e.payload['reason'] === 'signal',
      );
      assert.ok(signal !== undefined, 'the stop wrote a checkpoint (reason "signal")');
      const stoppedAt = Number(signal.payload['globalStep']);
      assert.ok(stoppedAt > 40 && stoppedAt < 40 + steps, `stopped mid-run (global step ${stoppedAt})`);
      const checkpoints = readdirSync(join(runDir, 'checkpoints'));
      assert.ok(
        checkpoints.some((c) => existsSync(join(runDir, 'checkpoints', c, 'manifest.json'))),
        `a complete checkpoint on disk (${checkpoints.join(', ')})`,
      );
      assert.ok(!existsSync(join(runDir, 'final')), 'a stopped run has no final model yet');

      await workbench.clickNotificationButton(/"e2e-stop" stopped with a checkpoint/, 'Resume');
      await workbench.waitForRun('e2e-stop', /^done/, 6 * MINUTE);
      const events = readEvents(runDir);
      const resumed = events.find((e) => e.type === 'run-start' && e.payload['resumedFrom'] !== undefined);
      assert.ok(resumed !== undefined, 'the second start resumed from the checkpoint');
      const end = events.find((e) => e.type === 'done');
      assert.equal(end?.payload['globalStep'], 40 + steps, 'the resumed run trained to the last step');
      assert.ok(existsSync(join(runDir, 'final', 'model.safetensors')));
      await workbench.runCommand('View: Close All Editors');
    }),
  );
});
