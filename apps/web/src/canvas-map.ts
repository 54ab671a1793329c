import { select } from 'd3-selection';
import { zoom, type ZoomBehavior, zoomIdentity, type ZoomTransform } from 'd3-zoom';
import { PITCH, SEAT, type VenueGeometry } from './venue-layout.js';

/**
 * The seat map drawn on one canvas: the whole venue at a glance, zoom and pan with mouse, wheel,
 * touch (d3-zoom) and keyboard. A full drawing culls what is out of view and fills the seats of
 * one look together; a change of a few seats redraws only those seats. Each look has its own mark
 * (drawn once seats are big enough to carry one), so colour is never the only signal.
 */

export type Mark = 'check' | 'star' | 'slash' | 'cross' | 'dash' | 'none';
export interface Look {
  fill: string;
  mark: Mark;
  /** Drawn around the seat (a selection). */
  ring?: string;
  /** Drawn along the seat's edge (a seat not for sale is outlined, not filled). */
  outline?: string;
  /** The mark's and the label's colour. */
  ink: string;
  /** The colour of a seat too small for an outline (when the look has one). */
  small?: string;
}

export interface MapModel {
  geometry: VenueGeometry;
  /** The look of seat i (an object shared by all seats that look alike). */
  lookOf(i: number): Look;
  /** What is written on seat i when there is room (its number in the row). */
  shortLabel(i: number): string;
  /** An area's second line, e.g. "1,200 of 5,000 free". */
  areaText(key: string): string;
  onSeat(i: number, how: 'pointer' | 'keyboard'): void;
  onFocus(i: number): void;
  onArea(key: string): void;
  hint(i: number): string;
}

const BACKGROUND = '#ffffff';
const TEXT = '#1d1d27';
const MUTED = '#5b5b6b';
const FOCUS = '#2456d3';
/** Seats are drawn no larger than this many CSS pixels when the view is fitted. */
const FIT_MAX_SEAT_PX = 30;
/** Marks from this size on, labels from this size on (CSS pixels of a seat). */
const MARK_PX = 9;
const LABEL_PX = 18;

export class CanvasMap {
  readonly canvas = document.createElement('canvas');
  private readonly context: CanvasRenderingContext2D;
  private readonly tip = document.createElement('div');
  private readonly zoomer: ZoomBehavior<HTMLCanvasElement, unknown>;
  private transform: ZoomTransform = zoomIdentity;
  private cssWidth = 0;
  private cssHeight = 0;
  private ratio = 1;
  private fullPending = false;
  private readonly dirty = new Set<number>();
  private frame = 0;
  private focused = -1;
  private hasFocus = false;
  /** Since navigation: when the first full drawing was on screen; per frame: JS time spent drawing it. */
  readonly metrics = { firstDrawAt: 0, drawMs: [] as number[], inputToDrawMs: [] as number[] };
  private pendingInput: number[] = [];
  private image?: ImageData;
  private readonly resizer = new ResizeObserver(() => this.resize());

  constructor(
    private readonly container: HTMLElement,
    private readonly model: MapModel,
  ) {
    this.context = this.canvas.getContext('2d', { alpha: false })!;
    this.canvas.tabIndex = 0;
    this.canvas.setAttribute('role', 'application');
    this.canvas.setAttribute('aria-roledescription', 'seat map');
    this.canvas.setAttribute(
      'aria-label',
      'Seat map, stage at the top. Arrow keys move between seats, Enter or Space selects, plus and minus zoom, 0 shows the whole venue.',
    );
    this.tip.className = 'seat-tip';
    this.tip.hidden = true;
    this.tip.setAttribute('aria-hidden', 'true');
    container.replaceChildren(this.canvas, this.tip);
    container.dataset.ready = 'false';

    this.zoomer = zoom<HTMLCanvasElement, unknown>()
      .clickDistance(4)
      .on('zoom', (event: { transform: ZoomTransform }) => {
        this.transform = event.transform;
        this.tip.hidden = true;
        this.requestFull();
      });
    select(this.canvas).call(this.zoomer).on('dblclick.zoom', null);
    this.canvas.addEventListener('click', (event) => this.click(event));
    this.canvas.addEventListener('pointermove', (event) => this.hover(event));
    this.canvas.addEventListener('pointerleave', () => (this.tip.hidden = true));
    this.canvas.addEventListener('keydown', (event) => this.key(event));
    this.canvas.addEventListener('focus', () => {
      // Only a keyboard's focus is shown (and brought into view), not a click's.
      if (!this.canvas.matches(':focus-visible')) return;
      this.hasFocus = true;
      if (this.focused < 0 && model.geometry.rows.length) this.focus(model.geometry.rows[0][0]);
      else if (this.focused >= 0) this.focus(this.focused);
    });
    this.canvas.addEventListener('blur', () => {
      this.hasFocus = false;
      if (this.focused >= 0) this.invalidate(this.focused);
    });
    this.resize();
    this.fit();
    this.resizer.observe(container);
  }

  destroy(): void {
    this.resizer.disconnect();
    cancelAnimationFrame(this.frame);
  }

  /** Seat i looks different now. */
  invalidate(i: number, input?: number): void {
    this.dirty.add(i);
    if (input !== undefined) this.pendingInput.push(input);
    this.schedule();
  }

  requestFull(): void {
    this.fullPending = true;
    this.schedule();
  }

  /** Shows the whole venue. */
  fit(): void {
    const { width, height } = this.model.geometry;
    const margin = 16;
    const k = Math.min((this.cssWidth - 2 * margin) / width, (this.cssHeight - 2 * margin) / height, FIT_MAX_SEAT_PX / SEAT);
    const fitted = zoomIdentity.translate((this.cssWidth - width * k) / 2, (this.cssHeight - height * k) / 2).scale(k);
    this.zoomer.scaleExtent([k / 2, Math.max(k * 2, 60 / SEAT)]);
    this.zoomer.translateExtent([
      [-width * 0.5, -height * 0.5],
      [width * 1.5, height * 1.5],
    ]);
    this.zoomer.transform(select(this.canvas), fitted);
  }

  zoomBy(factor: number): void {
    this.zoomer.scaleBy(select(this.canvas), factor);
  }

  /** Where seat i's centre is on the page, in CSS pixels of the viewport. */
  pointOf(i: number): { x: number; y: number } {
    const box = this.canvas.getBoundingClientRect();
    const [x, y] = this.transform.apply([this.model.geometry.x[i] + SEAT / 2, this.model.geometry.y[i] + SEAT / 2]);
    return { x: box.left + x, y: box.top + y };
  }

  /** The colour drawn at a point of seat i that carries no mark (for checking what is on screen), if in view. */
  colourAt(i: number): string {
    let x: number, y: number;
    if (this.small) [x, y] = this.pixelBox(i);
    else {
      const point = this.transform.apply([this.model.geometry.x[i] + SEAT * 0.2, this.model.geometry.y[i] + SEAT * 0.2]);
      [x, y] = [Math.floor(point[0] * this.ratio), Math.floor(point[1] * this.ratio)];
    }
    if (x < 0 || y < 0 || x >= this.canvas.width || y >= this.canvas.height) return 'out of view';
    const [r, g, b] = this.context.getImageData(x, y, 1, 1).data;
    return `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
  }

  /** Moves the keyboard focus to seat i, bringing it into view (zoomed in enough to see it) when asked. */
  focus(i: number, reveal = true): void {
    const previous = this.focused;
    this.focused = i;
    if (previous >= 0) this.invalidate(previous);
    this.invalidate(i);
    if (reveal) this.reveal(i);
    this.model.onFocus(i);
  }

  get focusedSeat(): number {
    return this.focused;
  }

  private reveal(i: number): void {
    const { x, y } = this.model.geometry;
    const k = this.transform.k;
    const [sx, sy] = this.transform.apply([x[i], y[i]]);
    const inView = sx >= 8 && sy >= 8 && sx + SEAT * k <= this.cssWidth - 8 && sy + SEAT * k <= this.cssHeight - 8;
    if (SEAT * k < 12) {
      const target = Math.min(22 / SEAT, this.zoomer.scaleExtent()[1]);
      this.zoomer.transform(
        select(this.canvas),
        zoomIdentity
          .translate(this.cssWidth / 2, this.cssHeight / 2)
          .scale(target)
          .translate(-(x[i] + SEAT / 2), -(y[i] + SEAT / 2)),
      );
    } else if (!inView) {
      this.zoomer.translateTo(select(this.canvas), x[i] + SEAT / 2, y[i] + SEAT / 2);
    }
  }

  private schedule(): void {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.draw());
  }

  private resize(): void {
    const width = this.container.clientWidth;
    const { width: w, height: h } = this.model.geometry;
    // As tall as the venue needs at this width (or at its largest seats), within most of the window.
    const needed = Math.min((width * h) / w, (h * FIT_MAX_SEAT_PX) / SEAT) + 32;
    const height = Math.round(Math.min(window.innerHeight * 0.72, Math.max(220, needed)));
    if (width === this.cssWidth && height === this.cssHeight) return;
    this.ratio = window.devicePixelRatio || 1;
    this.cssWidth = width;
    this.cssHeight = height;
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    this.canvas.width = Math.round(width * this.ratio);
    this.canvas.height = Math.round(height * this.ratio);
    this.requestFull();
  }

  private draw(): void {
    this.frame = 0;
    const started = performance.now();
    if (this.fullPending) this.drawAll();
    else this.drawSeats(this.dirty);
    this.fullPending = false;
    this.dirty.clear();
    const ended = performance.now();
    this.metrics.drawMs.push(ended - started);
    if (this.metrics.drawMs.length > 2000) this.metrics.drawMs.splice(0, 1000);
    for (const at of this.pendingInput) this.metrics.inputToDrawMs.push(ended - at);
    this.pendingInput = [];
    if (!this.metrics.firstDrawAt) {
      this.metrics.firstDrawAt = ended;
      this.container.dataset.ready = 'true';
    }
  }

  private world(): void {
    const { x, y, k } = this.transform;
    this.context.setTransform(this.ratio * k, 0, 0, this.ratio * k, this.ratio * x, this.ratio * y);
  }

  private drawAll(): void {
    const ctx = this.context;
    const { geometry } = this.model;
    const k = this.transform.k;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = BACKGROUND;
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    this.world();

    // The stage, the sections' names and the standing areas.
    const { stage } = geometry;
    ctx.fillStyle = '#e6e6ee';
    ctx.beginPath();
    ctx.roundRect(stage.x, stage.y, stage.width, stage.height, stage.height / 2);
    ctx.fill();
    // Names are written 11 to 20 CSS pixels high, whatever the zoom.
    const px = (worldSize: number, min = 11, max = 20) => Math.min(max, Math.max(min, worldSize * k)) / k;
    this.text('STAGE', stage.x + stage.width / 2, stage.y + stage.height / 2, px(stage.height * 0.5), MUTED, 'bold');
    for (const section of geometry.sections) {
      if (section.label)
        this.text(section.label, section.x + section.width / 2, section.y + 11, px(12, 11, 16), MUTED, '600', 'center', true);
    }
    for (const area of geometry.areas) {
      ctx.fillStyle = '#eef3ff';
      ctx.strokeStyle = FOCUS;
      ctx.lineWidth = 1.5 / k;
      ctx.beginPath();
      ctx.roundRect(area.x, area.y, area.width, area.height, 8);
      ctx.fill();
      ctx.stroke();
      const size = Math.min(area.height / 4, px(14, 11, 18));
      this.text(area.label, area.x + area.width / 2, area.y + area.height / 2 - size * 0.7, size, TEXT, 'bold');
      this.text(this.model.areaText(area.key), area.x + area.width / 2, area.y + area.height / 2 + size * 0.7, size * 0.8, TEXT, '');
    }

    if (this.small) this.drawSmallSeats();
    else this.drawLargeSeats();
    const [left, top] = this.transform.invert([0, 0]);
    const [right, bottom] = this.transform.invert([this.cssWidth, this.cssHeight]);
    if (SEAT * k >= LABEL_PX / 2) {
      for (const label of geometry.rowLabels) {
        if (label.x < left - 20 || label.x > right + 20 || label.y < top || label.y > bottom) continue;
        this.text(label.text, label.x - 4, label.y, SEAT * 0.7, MUTED, '600', 'right');
      }
    }
    if (this.focused >= 0) this.drawSeats([this.focused], false);
  }

  /** Seats a few pixels wide: each a rectangle of whole device pixels, written into one image. */
  private drawSmallSeats(): void {
    const { width, height } = this.canvas;
    if (this.image?.width !== width || this.image.height !== height) this.image = this.context.createImageData(width, height);
    const pixels = new Uint32Array(this.image.data.buffer);
    pixels.fill(packed(BACKGROUND));
    const count = this.model.geometry.x.length;
    const box = [0, 0, 0, 0];
    for (let i = 0; i < count; i++) {
      const [x0, y0, x1, y1] = this.pixelBox(i, box);
      if (x1 <= 0 || y1 <= 0 || x0 >= width || y0 >= height) continue;
      const colour = packedLook(this.model.lookOf(i));
      for (let row = Math.max(0, y0); row < Math.min(height, y1); row++)
        pixels.fill(colour, row * width + Math.max(0, x0), row * width + Math.min(width, x1));
    }
    this.context.setTransform(1, 0, 0, 1, 0, 0);
    this.context.putImageData(this.image, 0, 0);
    this.world();
  }

  /** Seats large enough for marks: grouped by look, one fill style per group. */
  private drawLargeSeats(): void {
    const [left, top] = this.transform.invert([0, 0]);
    const [right, bottom] = this.transform.invert([this.cssWidth, this.cssHeight]);
    const groups = new Map<Look, number[]>();
    const { x, y } = this.model.geometry;
    for (let i = 0; i < x.length; i++) {
      if (x[i] + SEAT < left || x[i] > right || y[i] + SEAT < top || y[i] > bottom) continue;
      const look = this.model.lookOf(i);
      let group = groups.get(look);
      if (!group) groups.set(look, (group = []));
      group.push(i);
    }
    for (const [look, seats] of groups) for (const i of seats) this.drawSeat(i, look);
  }

  /** Seats are drawn in whole device pixels while they are smaller than a mark. */
  private get small(): boolean {
    return SEAT * this.transform.k < MARK_PX;
  }

  /** Seat i's rectangle in device pixels [x0, y0, x1, y1), at least one pixel each way. */
  private pixelBox(i: number, box: number[] = [0, 0, 0, 0]): number[] {
    const { x, y, k } = this.transform;
    const scale = k * this.ratio;
    const left = this.model.geometry.x[i] * scale + x * this.ratio;
    const top = this.model.geometry.y[i] * scale + y * this.ratio;
    box[0] = Math.round(left);
    box[1] = Math.round(top);
    box[2] = Math.max(box[0] + 1, Math.round(left + SEAT * scale));
    box[3] = Math.max(box[1] + 1, Math.round(top + SEAT * scale));
    return box;
  }

  /**
   * Redraws a few seats where they are, over a background slightly larger than each (its ring).
   * A small seat under a section's name would wipe part of it: then everything is drawn again.
   */
  private drawSeats(seats: Iterable<number>, clear = true): void {
    const ctx = this.context;
    const { x, y, sectionOf, sections } = this.model.geometry;
    if (this.small) {
      const k = this.transform.k;
      const labelBottom = 11 + Math.min(16, Math.max(11, 12 * k)) / k / 2 + 3 / k;
      const seatList = [...seats];
      if (clear && seatList.some((i) => y[i] < sections[sectionOf[i]].y + labelBottom)) return this.drawAll();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      const box = [0, 0, 0, 0];
      for (const i of seatList) {
        const [x0, y0, x1, y1] = this.pixelBox(i, box);
        if (clear) {
          // The seat's share of the gaps around it (to halfway to its neighbours) is cleared too.
          const gap = Math.max(1, Math.round(((PITCH - SEAT) / 2) * this.transform.k * this.ratio) - 1);
          ctx.fillStyle = BACKGROUND;
          ctx.fillRect(x0 - gap, y0 - gap, x1 - x0 + 2 * gap, y1 - y0 + 2 * gap);
        }
        const look = this.model.lookOf(i);
        ctx.fillStyle = look.small ?? look.fill;
        ctx.fillRect(x0, y0, x1 - x0, y1 - y0);
        if (i === this.focused && this.hasFocus) {
          ctx.strokeStyle = FOCUS;
          ctx.lineWidth = 1;
          ctx.strokeRect(x0 - 1.5, y0 - 1.5, x1 - x0 + 3, y1 - y0 + 3);
        }
      }
      return;
    }
    this.world();
    if (clear) {
      ctx.fillStyle = BACKGROUND;
      for (const i of seats) ctx.fillRect(x[i] - 0.99, y[i] - 0.99, SEAT + 1.98, SEAT + 1.98);
    }
    for (const i of seats) this.drawSeat(i, this.model.lookOf(i));
  }

  private drawSeat(i: number, look: Look): void {
    const ctx = this.context;
    const k = this.transform.k;
    const sx = this.model.geometry.x[i];
    const sy = this.model.geometry.y[i];
    paintSeat(ctx, sx, sy, look, k);
    if (SEAT * k >= LABEL_PX) {
      const label = this.model.shortLabel(i);
      // Above the mark, or in the middle of a seat without one.
      const size = SEAT * (label.length > 2 ? 0.3 : 0.38) * (look.mark === 'none' ? 1.15 : 1);
      if (label) this.text(label, sx + SEAT / 2, sy + SEAT * (look.mark === 'none' ? 0.52 : 0.3), size, look.ink, '600');
    }
    // A ring just outside the seat, within the gap to its neighbours (which a redraw clears).
    const focused = i === this.focused && this.hasFocus;
    if (look.ring || focused) {
      const width = focused ? 0.95 : 0.6;
      ctx.strokeStyle = focused ? FOCUS : look.ring!;
      ctx.lineWidth = width;
      ctx.beginPath();
      ctx.rect(sx - width / 2, sy - width / 2, SEAT + width, SEAT + width);
      ctx.stroke();
    }
  }

  /** Text at a world point; with a halo of the background where it may cross seats. */
  private text(
    text: string,
    x: number,
    y: number,
    size: number,
    colour: string,
    weight: string,
    align: CanvasTextAlign = 'center',
    halo = false,
  ): void {
    const ctx = this.context;
    ctx.font = `${weight} ${size}px system-ui, sans-serif`;
    ctx.textAlign = align;
    ctx.textBaseline = 'middle';
    if (halo) {
      ctx.strokeStyle = BACKGROUND;
      ctx.lineWidth = 3 / this.transform.k;
      ctx.lineJoin = 'round';
      ctx.strokeText(text, x, y);
    }
    ctx.fillStyle = colour;
    ctx.fillText(text, x, y);
  }

  private at(event: MouseEvent): [number, number] {
    const box = this.canvas.getBoundingClientRect();
    return this.transform.invert([event.clientX - box.left, event.clientY - box.top]);
  }

  private click(event: MouseEvent): void {
    const [x, y] = this.at(event);
    const i = this.model.geometry.seatAt(x, y);
    if (i >= 0) {
      this.pendingInput.push(event.timeStamp);
      const previous = this.focused;
      this.focused = i;
      if (previous >= 0 && previous !== i) this.invalidate(previous);
      this.model.onSeat(i, 'pointer');
      this.invalidate(i);
      this.showTip(i, event);
      return;
    }
    const area = this.model.geometry.areaAt(x, y);
    if (area) this.model.onArea(area.key);
  }

  private hover(event: PointerEvent): void {
    if (event.pointerType !== 'mouse' || event.buttons) return;
    const [x, y] = this.at(event);
    const i = this.model.geometry.seatAt(x, y);
    this.canvas.style.cursor = i >= 0 || this.model.geometry.areaAt(x, y) ? 'pointer' : 'grab';
    if (i >= 0) this.showTip(i, event);
    else this.tip.hidden = true;
  }

  private showTip(i: number, event: MouseEvent): void {
    const box = this.container.getBoundingClientRect();
    this.tip.textContent = this.model.hint(i);
    this.tip.hidden = false;
    this.tip.style.left = `${Math.min(event.clientX - box.left + 14, this.cssWidth - 220)}px`;
    this.tip.style.top = `${event.clientY - box.top + 14}px`;
  }

  private key(event: KeyboardEvent): void {
    const { geometry } = this.model;
    if (!this.hasFocus) {
      this.hasFocus = true;
      if (this.focused >= 0) this.invalidate(this.focused);
    }
    if (event.key === '+' || event.key === '=') this.zoomBy(1.5);
    else if (event.key === '-' || event.key === '_') this.zoomBy(1 / 1.5);
    else if (event.key === '0') this.fit();
    else if ((event.key === 'Enter' || event.key === ' ') && this.focused >= 0) {
      this.pendingInput.push(event.timeStamp);
      this.model.onSeat(this.focused, 'keyboard');
      this.invalidate(this.focused);
    } else if (event.key.startsWith('Arrow') && geometry.rows.length) {
      const next = this.neighbour(event.key);
      if (next >= 0) this.focus(next);
    } else return;
    event.preventDefault();
  }

  /** The seat an arrow key leads to: along the row, or the nearest seat of the row before or after. */
  private neighbour(key: string): number {
    const { rows, rowOf, x } = this.model.geometry;
    if (this.focused < 0) return rows[0][0];
    const row = rowOf[this.focused];
    const seats = rows[row];
    const at = seats.indexOf(this.focused);
    if (key === 'ArrowLeft') return at > 0 ? seats[at - 1] : -1;
    if (key === 'ArrowRight') return at < seats.length - 1 ? seats[at + 1] : -1;
    const target = rows[row + (key === 'ArrowUp' ? -1 : 1)];
    if (!target) return -1;
    let best = target[0];
    for (const i of target) if (Math.abs(x[i] - x[this.focused]) < Math.abs(x[best] - x[this.focused])) best = i;
    return best;
  }
}

/** A seat of this look at (x, y) in world units, drawn at scale k: its fill, outline and mark. */
function paintSeat(ctx: CanvasRenderingContext2D, sx: number, sy: number, look: Look, k: number): void {
  const marked = SEAT * k >= MARK_PX;
  ctx.fillStyle = look.fill;
  ctx.beginPath();
  ctx.roundRect(sx, sy, SEAT, SEAT, marked ? 1.5 : 0);
  ctx.fill();
  if (look.outline) {
    ctx.strokeStyle = look.outline;
    ctx.lineWidth = Math.max(0.6, 1 / k);
    ctx.stroke();
  }
  if (!marked || look.mark === 'none') return;
  // The mark sits in the lower part of the seat (the label is in the upper part).
  const cx = sx + SEAT / 2;
  const cy = sy + SEAT * 0.68;
  const r = SEAT * 0.17;
  ctx.strokeStyle = look.ink;
  ctx.fillStyle = look.ink;
  ctx.lineWidth = SEAT * 0.09;
  ctx.lineCap = 'round';
  ctx.beginPath();
  switch (look.mark) {
    case 'check':
      ctx.moveTo(cx - r, cy);
      ctx.lineTo(cx - r * 0.25, cy + r * 0.75);
      ctx.lineTo(cx + r, cy - r * 0.75);
      break;
    case 'cross':
      ctx.moveTo(cx - r, cy - r);
      ctx.lineTo(cx + r, cy + r);
      ctx.moveTo(cx + r, cy - r);
      ctx.lineTo(cx - r, cy + r);
      break;
    case 'slash':
      ctx.moveTo(cx + r, cy - r);
      ctx.lineTo(cx - r, cy + r);
      break;
    case 'dash':
      ctx.moveTo(cx - r, cy);
      ctx.lineTo(cx + r, cy);
      break;
    case 'star':
      ctx.arc(cx, cy, r * 0.8, 0, Math.PI * 2);
      ctx.fill();
      return;
  }
  ctx.stroke();
}

/** A legend's sample of a look: one seat, 20 CSS pixels wide. */
export function swatch(look: Look): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  const ratio = window.devicePixelRatio || 1;
  const size = 22;
  canvas.width = canvas.height = Math.round(size * ratio);
  canvas.style.width = canvas.style.height = `${size}px`;
  canvas.setAttribute('aria-hidden', 'true');
  const ctx = canvas.getContext('2d')!;
  const k = 20 / SEAT;
  ctx.setTransform(ratio * k, 0, 0, ratio * k, ratio, ratio);
  paintSeat(ctx, 0, 0, look, k);
  return canvas;
}

/** '#rrggbb' as a pixel of an ImageData (RGBA bytes, read as one little-endian 32-bit word). */
function packed(colour: string): number {
  const value = parseInt(colour.slice(1), 16);
  return ((0xff << 24) | ((value & 0xff) << 16) | (value & 0xff00) | ((value >> 16) & 0xff)) >>> 0;
}

const packedLooks = new WeakMap<Look, number>();
function packedLook(look: Look): number {
  let value = packedLooks.get(look);
  if (value === undefined) packedLooks.set(look, (value = packed(look.small ?? look.fill)));
  return value;
}
