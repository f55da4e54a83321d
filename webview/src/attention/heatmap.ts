// One attention heatmap on a canvas: rows are query tokens, columns key tokens, each cell one value painted through
// a colour function; token labels are DOM text on both axes (selectable, readable by screen readers, and what
// tests look for). The canvas is focusable: arrow keys move a cell cursor, whose values the tab reads out.
import { cssRgb, type Rgb } from '../colors';
import { h } from '../dom';

export interface HeatmapCell {
  row: number;
  col: number;
}

/** Pixel size of a cell for `tokens` tokens in `width` pixels shared by `maps` maps side by side. */
export function cellSize(tokens: number, width: number, maps: number): number {
  const labels = 90;
  return Math.max(4, Math.min(22, Math.floor((width / maps - labels) / Math.max(1, tokens))));
}

/** Every k-th label when cells are too small for text. */
export function labelStride(cell: number): number {
  return cell >= 10 ? 1 : Math.ceil(10 / cell);
}

/** Paints `values` (size x size, row-major) into RGBA pixels, one pixel per cell. */
export function paint(values: Float32Array, size: number, color: (v: number) => Rgb): ImageData {
  const image = new ImageData(size, size);
  for (let i = 0; i < size * size; i++) {
    const [r, g, b] = color(values[i] ?? NaN);
    image.data[4 * i] = r;
    image.data[4 * i + 1] = g;
    image.data[4 * i + 2] = b;
    image.data[4 * i + 3] = 255;
  }
  return image;
}

export class Heatmap {
  readonly element: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly rows: HTMLElement;
  private readonly cols: HTMLElement;
  private readonly legend: HTMLElement;
  private size = 0;
  private cell = 10;
  private values: Float32Array = new Float32Array(0);
  private image: HTMLCanvasElement = document.createElement('canvas');
  private cursor: HeatmapCell | undefined;
  private outline: Rgb = [255, 255, 255];

  constructor(
    readonly kind: 'teacher' | 'student' | 'diff',
    caption: string,
    private readonly onCell: (cell: HeatmapCell | undefined) => void,
  ) {
    this.canvas = h('canvas', { tabindex: '0', role: 'img', testid: `heatmap-${kind}` });
    this.rows = h('div', { class: 'row-labels', 'aria-hidden': 'true' });
    this.cols = h('div', { class: 'col-labels', 'aria-hidden': 'true' });
    this.legend = h('div', { class: 'legend' });
    this.element = h(
      'figure',
      { class: `heatmap ${kind}` },
      h('figcaption', {}, caption),
      h('div', { class: 'heatmap-grid' }, h('div', { class: 'corner' }), this.cols, this.rows, this.canvas),
      this.legend,
    );
    this.canvas.addEventListener('mousemove', (e) => {
      const rect = this.canvas.getBoundingClientRect();
      const col = Math.floor((e.clientX - rect.left) / this.cell);
      const row = Math.floor((e.clientY - rect.top) / this.cell);
      this.onCell(row >= 0 && col >= 0 && row < this.size && col < this.size ? { row, col } : undefined);
    });
    this.canvas.addEventListener('mouseleave', () => this.onCell(undefined));
    this.canvas.addEventListener('keydown', (e) => this.key(e));
    this.canvas.addEventListener('blur', () => this.onCell(undefined));
  }

  /** Draws a map: `tokens` label both axes; `legend` is [low text, gradient css, high text]. */
  draw(
    values: Float32Array,
    tokens: readonly string[],
    color: (v: number) => Rgb,
    cell: number,
    ariaLabel: string,
    legend: [string, string, string],
    outline: Rgb,
  ): void {
    const size = tokens.length;
    this.size = size;
    this.cell = cell;
    this.values = values;
    this.outline = outline;
    const image = paint(values, size, color);
    this.image.width = size;
    this.image.height = size;
    this.image.getContext('2d')?.putImageData(image, 0, 0);
    this.canvas.width = size * cell * devicePixelRatio;
    this.canvas.height = size * cell * devicePixelRatio;
    this.canvas.style.width = `${size * cell}px`;
    this.canvas.style.height = `${size * cell}px`;
    this.canvas.setAttribute('aria-label', ariaLabel);
    this.repaint();
    const stride = labelStride(cell);
    const font = `${Math.min(12, Math.max(8, cell - 2))}px`;
    const label = (text: string, i: number, axis: 'row' | 'col'): HTMLElement => {
      const span = h(
        'span',
        { class: 'token', testid: 'token-label', title: text },
        i % stride === 0 ? text : '',
      );
      span.style.fontSize = font;
      if (axis === 'row') span.style.height = `${cell}px`;
      else span.style.width = `${cell}px`;
      return span;
    };
    this.rows.replaceChildren(...tokens.map((tok, i) => label(tok, i, 'row')));
    this.cols.replaceChildren(...tokens.map((tok, i) => label(tok, i, 'col')));
    const [low, gradient, high] = legend;
    const bar = h('span', { class: 'gradient' });
    bar.style.background = gradient;
    this.legend.replaceChildren(h('span', {}, low), bar, h('span', {}, high));
  }

  /** The cell cursor shared by the three maps of a pair. */
  setCursor(cell: HeatmapCell | undefined): void {
    this.cursor = cell;
    this.repaint();
  }

  private repaint(): void {
    const ctx = this.canvas.getContext('2d');
    if (ctx === null) return;
    ctx.imageSmoothingEnabled = false;
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.drawImage(this.image, 0, 0, this.canvas.width, this.canvas.height);
    if (this.cursor !== undefined) {
      const px = this.cell * devicePixelRatio;
      ctx.strokeStyle = cssRgb(this.outline);
      ctx.lineWidth = Math.max(1, devicePixelRatio * 1.5);
      ctx.strokeRect(this.cursor.col * px + 0.5, this.cursor.row * px + 0.5, px - 1, px - 1);
    }
  }

  value(cell: HeatmapCell): number {
    return this.values[cell.row * this.size + cell.col] ?? NaN;
  }

  private key(e: KeyboardEvent): void {
    const c = this.cursor ?? { row: 0, col: 0 };
    const moves: Record<string, [number, number]> = {
      ArrowUp: [-1, 0],
      ArrowDown: [1, 0],
      ArrowLeft: [0, -1],
      ArrowRight: [0, 1],
    };
    const move = moves[e.key];
    if (move === undefined) {
      if (e.key === 'Escape') this.onCell(undefined);
      return;
    }
    e.preventDefault();
    const clamp = (v: number): number => Math.max(0, Math.min(this.size - 1, v));
    this.onCell(this.cursor === undefined ? c : { row: clamp(c.row + move[0]), col: clamp(c.col + move[1]) });
  }
}
