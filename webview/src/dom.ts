// Tiny DOM helpers: elements with attributes and children, without a framework (the page is a few tabs of charts).

type Child = Node | string | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined) continue;
    if (name === 'class') element.className = value;
    else if (name === 'testid') element.dataset['testid'] = value;
    else element.setAttribute(name, value);
  }
  for (const child of children) if (child !== undefined && child !== false) element.append(child);
  return element;
}

/** A native range slider, labelled, with a text value for screen readers. */
export function slider(
  id: string,
  label: string,
  min: number,
  max: number,
  step: number,
  value: number,
  onInput: (value: number) => void,
  testId?: string,
): { element: HTMLElement; input: HTMLInputElement; output: HTMLOutputElement } {
  const input = h('input', {
    id,
    type: 'range',
    min: String(min),
    max: String(max),
    step: String(step),
    testid: testId,
  });
  input.value = String(value);
  const output = h('output', { for: id, class: 'value' });
  input.addEventListener('input', () => onInput(Number(input.value)));
  const element = h('div', { class: 'control slider' }, h('label', { for: id }, label), input, output);
  return { element, input, output };
}
