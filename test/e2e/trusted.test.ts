// Scenarios in a trusted workspace, in one code-server session on a copy of examples/reviews: 1 distil from the
// palette with the dashboard following the run, 2 diagnostics and a quick fix, 3 export and benchmark from the
// Runs view into the Benchmark tab, 4 the Attention tab, 5 stop and resume.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dashboard, warmUpWebviews, webviewFrame } from './dashboard';
import { closeSession, openSession, scenario, type Session } from './session';
import { readEvents } from './runs';
import { e2eConfig } from './workspace';
import { chooseMenuItem, waitFor } from './workbench';

const MINUTE = 60_000;

/** Reports a step webviewFrame took to show the dashboard, so a run that needed one says so. */
const recovery =
  (t: { diagnostic: (message: string) => void }) =>
  (step: string, state: string): void =>
    t.diagnostic(`the dashboard page had not shown: ${step} (before: ${state})`);
/**
 * Distillation steps of the scenario 1 run: long enough (1-2 minutes here) to watch its loss curve grow, with time
 * left for webviewFrame's recovery steps if the dashboard's page is slow to show.
 */
const DISTILL_STEPS = 1200;

describe('Distill Studio in a trusted workspace', { timeout: 20 * MINUTE }, () => {
  let session: Session | undefined;

  before(async () => {
    session = await openSession('trusted', { 'security.workspace.trust.enabled': false }, (ws) => {
      ws.writeConfig('e2e.distill.json', e2eConfig('e2e-reviews', DISTILL_STEPS));
    });
    console.log(
      `[e2e] webview warm-up: ${await warmUpWebviews(session.workbench, session.workspace.path('README.md'))}`,
    );
  });
  after(() => closeSession(session));

  it(
    '1. Distill Model from the palette: the run starts, finishes and shows its metric in the Runs view',
    {
      timeout: 6 * MINUTE,
    },
    (t) =>
      scenario(session, '1 distill model', async ({ workbench, workspace }) => {
        await workbench.runCommand('Distill Studio: Distill Model');
        await workbench.notification(/Distilling e2e-reviews/, 60_000);
        const running = await workbench.waitForRun('e2e-reviews', /^(running|setting up)/, 60_000);
        t.diagnostic(`Runs view while training: ${running}`);

        // Distill Model opens the dashboard on the new run; its loss curve grows while the run trains.
        const frame = await webviewFrame(workbench, {
          onRecovery: recovery(t),
          reopen: async () => {
            await workbench.runCommand('Distill Studio: Open Dashboard');
            await workbench.pick('e2e-reviews');
          },
        });
        await dashboard.tab(frame, 'Training').click();
        const points = async (): Promise<number> =>
          Number((await dashboard.lossChart(frame).getAttribute('data-points')) ?? 0);
        const first = await waitFor('the loss curve to have points', async () => {
          const n = await points();
          return n > 0 ? n : undefined;
        });
        const later = await waitFor(
          'the loss curve to gain points',
          async () => {
            const n = await points();
            return n > first ? n : undefined;
          },
          3 * MINUTE,
        );
        t.diagnostic(`loss curve: ${first} points, then ${later}`);

        const done = await workbench.waitForRun('e2e-reviews', /^done/, 5 * MINUTE);
        assert.match(done, /^done · acc \d+\.\d% · \d+(s|m\d\ds)$/, 'the Runs view shows the best accuracy');
        await workbench.notificationSeen(/"e2e-reviews" finished: best accuracy \d+\.\d%/);
        const events = readEvents(workspace.path('runs/e2e-reviews'));
        const end = events.find((e) => e.type === 'done');
        assert.ok(end !== undefined, 'events.jsonl records the end of the run');
        assert.equal(end.payload['globalStep'], 40 + DISTILL_STEPS);
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
    scenario(session, '3 export and benchmark', async ({ workbench, workspace }) => {
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

      // The Benchmark tab of the run's dashboard shows the results saved beside the export.
      await workbench.runContextMenu('e2e-reviews', 'Open Dashboard');
      const frame = await webviewFrame(workbench, { onRecovery: recovery(t) });
      await dashboard.tab(frame, 'Benchmark').click();
      const row = await waitFor('a benchmark row for the exported model', async () => {
        const rows = dashboard.benchmarkRows(frame).filter({ hasText: 'e2e-reviews' });
        return (await rows.count()) > 0 ? rows.first().innerText() : undefined;
      });
      t.diagnostic(`Benchmark tab row: ${row.replace(/\s+/g, ' ')}`);
      assert.match(row, /\d+(\.\d+)?/, 'the row shows measured numbers');
    }),
  );

  it(
    '4. The Attention tab shows teacher, student and diff heatmaps with token labels',
    { timeout: 3 * MINUTE },
    (t) =>
      scenario(session, '4 attention tab', async ({ workbench }) => {
        await workbench.runContextMenu('e2e-reviews', 'Open Dashboard');
        const frame = await webviewFrame(workbench, { onRecovery: recovery(t) });
        await dashboard.tab(frame, 'Attention').click();
        for (const which of ['teacher', 'student', 'diff'] as const) {
          const map = dashboard.heatmap(frame, which);
          await map.locator('canvas').waitFor({ state: 'visible' });
          const box = await map.locator('canvas').boundingBox();
          assert.ok(box !== null && box.width > 20 && box.height > 20, `the ${which} heatmap is drawn`);
          const tokens = await map
            .locator(dashboard.heatmapToken)
            .evaluateAll((els) => els.map((e) => e.getAttribute('title') ?? ''));
          assert.ok(tokens.includes('[CLS]'), `the ${which} heatmap labels its tokens (${tokens.join(' ')})`);
          const shown = await map.locator(dashboard.heatmapToken).allInnerTexts();
          assert.ok(shown.includes('[CLS]'), `the ${which} heatmap shows the first token's label`);
        }
      }),
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
