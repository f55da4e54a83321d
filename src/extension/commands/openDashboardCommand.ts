// Open Dashboard: shows a run (a Runs view item, a run folder or a path inside one, the status bar's run, or one
// picked from the palette) in the dashboard panel, on the Training tab unless told otherwise.
import * as vscode from 'vscode';
import type { DashboardTab } from '../../protocol/dashboard';
import { DASHBOARD_TABS } from '../../protocol/dashboard';
import { pathFromArg, pickRun, runNodeFromArg } from '../commandArgs';
import { runFolderOf, type Dashboards } from '../dashboard/dashboards';
import type { Services } from '../services';

/** The run folder a command argument names; asks with a quick pick when there is none. */
export async function dashboardRunFrom(
  s: Services,
  arg: unknown,
  placeHolder: string,
): Promise<string | undefined> {
  const t = vscode.l10n.t;
  const node = runNodeFromArg(s, arg);
  if (node !== undefined) return pathFromArg(node);
  const path = pathFromArg(arg);
  if (path === undefined) {
    const picked = await pickRun(
      s,
      (n) => n.kind === 'run' || n.kind === 'pending',
      placeHolder,
      t('There are no runs yet.'),
    );
    return picked !== undefined ? pathFromArg(picked) : undefined;
  }
  // A run of this window that has not written its folder yet still gets its (waiting) dashboard.
  if (s.scheduler.jobFor(path) !== undefined) return path;
  const runDir = runFolderOf(path);
  if (runDir === undefined)
    void vscode.window.showWarningMessage(
      t('{0} is not a run folder: it has no events.jsonl or run.json.', path),
    );
  return runDir;
}

/** `options.tab` (internal callers: Benchmark ONNX Model, Diagnose Accuracy Drop) picks the tab. */
function tabFrom(options: unknown): DashboardTab | undefined {
  const tab =
    options !== null && typeof options === 'object' ? (options as { tab?: unknown }).tab : undefined;
  return DASHBOARD_TABS.includes(tab as DashboardTab) ? (tab as DashboardTab) : undefined;
}

export function registerOpenDashboardCommand(s: Services, dashboards: Dashboards): vscode.Disposable {
  return vscode.commands.registerCommand(
    'distillStudio.openDashboard',
    async (arg?: unknown, options?: unknown) => {
      const runDir = await dashboardRunFrom(s, arg, vscode.l10n.t('Choose the run to show'));
      if (runDir !== undefined) dashboards.open(runDir, tabFrom(options));
    },
  );
}
