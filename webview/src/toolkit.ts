// The only module that imports @vscode/webview-ui-toolkit (deprecated upstream in 2025; its successor is
// @vscode-elements/elements). Everything else builds controls through the factories below, so swapping the
// component library later touches this file alone. The toolkit components follow the VS Code theme through its
// CSS variables, are keyboard-operable and expose their labels to screen readers.
import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDataGrid,
  vsCodeDataGridCell,
  vsCodeDataGridRow,
  vsCodeDivider,
  vsCodeDropdown,
  vsCodeOption,
  vsCodePanels,
  vsCodePanelTab,
  vsCodePanelView,
} from '@vscode/webview-ui-toolkit';

export function registerToolkit(): void {
  provideVSCodeDesignSystem().register(
    vsCodeButton(),
    vsCodeCheckbox(),
    vsCodeDataGrid(),
    vsCodeDataGridCell(),
    vsCodeDataGridRow(),
    vsCodeDivider(),
    vsCodeDropdown(),
    vsCodeOption(),
    vsCodePanels(),
    vsCodePanelTab(),
    vsCodePanelView(),
  );
}

export function createButton(
  label: string,
  onClick: () => void,
  options: { secondary?: boolean; testId?: string; ariaLabel?: string } = {},
): HTMLElement {
  const button = document.createElement('vscode-button');
  button.textContent = label;
  if (options.secondary === true) button.setAttribute('appearance', 'secondary');
  if (options.testId !== undefined) button.dataset['testid'] = options.testId;
  if (options.ariaLabel !== undefined) button.setAttribute('aria-label', options.ariaLabel);
  button.addEventListener('click', onClick);
  return button;
}

export interface Dropdown<T extends string> {
  element: HTMLElement;
  setOptions(options: readonly { value: T; label: string }[], value: T): void;
  readonly value: T;
}

/** A labelled dropdown: `<label for>` plus the toolkit's dropdown (a combobox for screen readers). */
export function createDropdown<T extends string>(
  id: string,
  label: string,
  onChange: (value: T) => void,
  testId?: string,
): Dropdown<T> {
  const wrapper = document.createElement('div');
  wrapper.className = 'control';
  const labelElement = document.createElement('label');
  labelElement.htmlFor = id;
  labelElement.textContent = label;
  const dropdown = document.createElement('vscode-dropdown') as HTMLElement & { value: string };
  dropdown.id = id;
  dropdown.setAttribute('aria-label', label);
  if (testId !== undefined) dropdown.dataset['testid'] = testId;
  dropdown.addEventListener('change', () => onChange(dropdown.value as T));
  wrapper.append(labelElement, dropdown);
  let current: string | undefined;
  return {
    element: wrapper,
    setOptions(options, value) {
      const signature = JSON.stringify(options);
      if (signature !== current) {
        current = signature;
        dropdown.replaceChildren(
          ...options.map((o) => {
            const option = document.createElement('vscode-option');
            option.setAttribute('value', o.value);
            option.textContent = o.label;
            // The options are slotted asynchronously: mark the chosen one so the dropdown starts on it.
            if (o.value === value) option.setAttribute('selected', '');
            return option;
          }),
        );
      }
      dropdown.value = value;
    },
    get value() {
      return dropdown.value as T;
    },
  };
}

export function createCheckbox(
  label: string,
  checked: boolean,
  onChange: (checked: boolean) => void,
  testId?: string,
): HTMLElement & { checked: boolean } {
  const box = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean };
  box.textContent = label;
  box.checked = checked;
  if (testId !== undefined) box.dataset['testid'] = testId;
  box.addEventListener('change', () => onChange(box.checked));
  return box;
}

export interface Tabs<T extends string> {
  element: HTMLElement;
  select(id: T): void;
}

/** Tabs with their views: arrow keys move between tabs (the toolkit's panels implement the ARIA tabs pattern). */
export function createTabs<T extends string>(
  tabs: readonly { id: T; label: string; view: HTMLElement }[],
  active: T,
  onChange: (id: T) => void,
): Tabs<T> {
  const panels = document.createElement('vscode-panels') as HTMLElement & { activeid: string };
  panels.setAttribute('aria-label', tabs.map((t) => t.label).join(', '));
  for (const tab of tabs) {
    const tabElement = document.createElement('vscode-panel-tab');
    tabElement.id = `tab-${tab.id}`;
    tabElement.dataset['testid'] = `tab-${tab.id}`;
    tabElement.textContent = tab.label;
    panels.append(tabElement);
  }
  for (const tab of tabs) {
    const view = document.createElement('vscode-panel-view');
    view.id = `view-${tab.id}`;
    view.append(tab.view);
    panels.append(view);
  }
  panels.setAttribute('activeid', `tab-${active}`);
  panels.addEventListener('change', () => {
    const id = (panels.activeid ?? '').replace(/^tab-/, '') as T;
    if (tabs.some((t) => t.id === id)) onChange(id);
  });
  return {
    element: panels,
    select(id) {
      panels.setAttribute('activeid', `tab-${id}`);
      panels.activeid = `tab-${id}`;
    },
  };
}

/**
 * A data grid (arrow keys move between cells). `columns` titles the header; each row gives one text per column.
 * Every row is its own CSS grid, so the columns need explicit widths (`widths`, fr units; default 1 each) to line up.
 */
export function createDataGrid(
  ariaLabel: string,
  columns: readonly string[],
  rows: readonly (readonly string[])[],
  testId?: string,
  widths?: readonly number[],
): HTMLElement {
  const grid = document.createElement('vscode-data-grid');
  grid.setAttribute('aria-label', ariaLabel);
  grid.setAttribute(
    'grid-template-columns',
    columns.map((_, i) => `minmax(0, ${widths?.[i] ?? 1}fr)`).join(' '),
  );
  if (testId !== undefined) grid.dataset['testid'] = testId;
  const row = (cells: readonly string[], header: boolean): HTMLElement => {
    const r = document.createElement('vscode-data-grid-row');
    if (header) r.setAttribute('row-type', 'sticky-header');
    cells.forEach((text, i) => {
      const cell = document.createElement('vscode-data-grid-cell');
      cell.setAttribute('grid-column', String(i + 1));
      if (header) cell.setAttribute('cell-type', 'columnheader');
      cell.textContent = text;
      r.append(cell);
    });
    return r;
  };
  grid.append(row(columns, true), ...rows.map((cells) => row(cells, false)));
  return grid;
}

export function createDivider(): HTMLElement {
  return document.createElement('vscode-divider');
}
