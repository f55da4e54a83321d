// The only module that imports @vscode/webview-ui-toolkit (deprecated upstream in 2025; its successor is
// @vscode-elements/elements). Swapping the component library later touches this file alone.
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodePanels,
  vsCodePanelTab,
  vsCodePanelView,
} from '@vscode/webview-ui-toolkit';

export function registerToolkit(): void {
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodePanels(), vsCodePanelTab(), vsCodePanelView());
}
