import type { Area, ShowLayout } from './api.js';

/**
 * Where everything of a venue is drawn, in world units (a seat is SEAT wide, seats are PITCH
 * apart): the stage on top, the standing areas in front of it, then the sections in their order,
 * laid out in shelves (left to right, wrapping) so that a stadium fits one view. Worked out once
 * per layout; the renderer only scales and translates it.
 */

export const SEAT = 8;
export const PITCH = 10;
const SECTION_GAP = 24;
const LABEL_BAND = 22;
const ROW_LABEL_WIDTH = 14;

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface SectionBox extends Box {
  key: string | null;
  label: string;
}

export interface AreaBox extends Box {
  key: string;
  label: string;
}

export interface VenueGeometry {
  /** Seat i (layout order) has its top-left corner at (x[i], y[i]). */
  x: Float32Array;
  y: Float32Array;
  /** Seat indexes of each row, in layout order; a seat's row and its place in it. */
  rows: Int32Array[];
  rowOf: Int32Array;
  /** The section (index into `sections`) of each seat. */
  sectionOf: Int32Array;
  rowLabels: { text: string; x: number; y: number }[];
  sections: SectionBox[];
  areas: AreaBox[];
  stage: Box;
  width: number;
  height: number;
  /** The seat at a world point, or -1. */
  seatAt(x: number, y: number): number;
  areaAt(x: number, y: number): AreaBox | undefined;
}

interface Block {
  key: string | null;
  label: string;
  /** Runs of seat indexes, one per row. */
  rows: { label: string; seats: number[] }[];
  width: number;
  height: number;
  x: number;
  y: number;
}

export function layOut(layout: ShowLayout): VenueGeometry {
  const seatCount = layout.seats.length;
  const x = new Float32Array(seatCount);
  const y = new Float32Array(seatCount);
  const rowOf = new Int32Array(seatCount);
  const sectionOf = new Int32Array(seatCount);

  // Sections in order of their first seat; rows in order of theirs (row labels repeat across sections).
  const labels = new Map(layout.sections.map((section) => [section.key, section.label]));
  const blocks = new Map<string, Block>();
  const rowsByKey = new Map<string, { label: string; seats: number[] }>();
  layout.seats.forEach((seat, i) => {
    const sectionKey = seat.section ?? '';
    let block = blocks.get(sectionKey);
    if (!block) {
      block = { key: seat.section, label: labels.get(sectionKey) ?? '', rows: [], width: 0, height: 0, x: 0, y: 0 };
      blocks.set(sectionKey, block);
    }
    const rowKey = `${sectionKey}\u0000${seat.row}`;
    let row = rowsByKey.get(rowKey);
    if (!row) {
      row = { label: seat.row, seats: [] };
      rowsByKey.set(rowKey, row);
      block.rows.push(row);
    }
    row.seats.push(i);
  });
  for (const block of blocks.values()) {
    block.width = ROW_LABEL_WIDTH + Math.max(...block.rows.map((row) => row.seats.length)) * PITCH;
    block.height = LABEL_BAND + block.rows.length * PITCH;
  }

  // Shelves about 1.6 times as wide as the venue would be square, never narrower than its widest block.
  const blockList = [...blocks.values()];
  const area = blockList.reduce((sum, block) => sum + (block.width + SECTION_GAP) * (block.height + SECTION_GAP), 0);
  const widest = Math.max(240, ...blockList.map((block) => block.width));
  const width = Math.max(widest, Math.sqrt(area) * 1.6);

  const stage: Box = { x: width * 0.2, y: 0, width: width * 0.6, height: Math.max(14, width * 0.015) };
  let top = stage.y + stage.height + SECTION_GAP;

  const areas = shelve(
    (layout.areas ?? []).map((a) => areaBox(a)),
    width,
    top,
  );
  if (areas.length) top = Math.max(...areas.map((box) => box.y + box.height)) + SECTION_GAP;

  shelve(blockList, width, top);
  const rows: Int32Array[] = [];
  const rowLabels: VenueGeometry['rowLabels'] = [];
  const sections: SectionBox[] = [];
  for (const block of blockList) {
    sections.push({ key: block.key, label: block.label, x: block.x, y: block.y, width: block.width, height: block.height });
    const seatsWidth = block.width - ROW_LABEL_WIDTH;
    block.rows.forEach((row, r) => {
      const rowY = block.y + LABEL_BAND + r * PITCH;
      // Rows are centred in their section, on a half-pitch grid.
      const left = block.x + ROW_LABEL_WIDTH + Math.floor((seatsWidth - row.seats.length * PITCH) / PITCH) * (PITCH / 2);
      row.seats.forEach((seat, column) => {
        x[seat] = left + column * PITCH;
        y[seat] = rowY;
        rowOf[seat] = rows.length;
        sectionOf[seat] = sections.length - 1;
      });
      rowLabels.push({ text: row.label, x: left - 2, y: rowY + SEAT / 2 });
      rows.push(Int32Array.from(row.seats));
    });
  }
  const bottom = Math.max(top, ...blockList.map((block) => block.y + block.height));

  // Hit testing: each seat in the PITCH-sized cell of its top-left corner; a point looks in its cell
  // and the eight around it, and belongs to the seat whose centre is nearest, within half a pitch
  // (the gap around a seat counts as the seat's: seats a pixel wide can still be hit).
  const cells = new Map<number, number>();
  const cellKey = (cx: number, cy: number) => cy * 1_000_003 + cx;
  for (let i = 0; i < seatCount; i++) cells.set(cellKey(Math.floor(x[i] / PITCH), Math.floor(y[i] / PITCH)), i);
  const seatAt = (px: number, py: number): number => {
    const cx = Math.floor(px / PITCH);
    const cy = Math.floor(py / PITCH);
    let best = -1;
    let bestDistance = PITCH / 2;
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const i = cells.get(cellKey(cx + dx, cy + dy));
        if (i === undefined) continue;
        const distance = Math.max(Math.abs(px - x[i] - SEAT / 2), Math.abs(py - y[i] - SEAT / 2));
        if (distance <= bestDistance) [best, bestDistance] = [i, distance];
      }
    return best;
  };
  const areaAt = (px: number, py: number) =>
    areas.find((box) => px >= box.x && px <= box.x + box.width && py >= box.y && py <= box.y + box.height);

  return { x, y, rows, rowOf, sectionOf, rowLabels, sections, areas, stage, width, height: bottom, seatAt, areaAt };
}

/** A standing area's block: its size grows with its capacity, within bounds. */
function areaBox(area: Area): AreaBox {
  const width = Math.min(600, Math.max(160, Math.sqrt(area.capacity) * 6));
  return { key: area.key, label: area.label, x: 0, y: 0, width, height: Math.max(70, width * 0.4) };
}

/** Places boxes left to right from `top`, wrapping at `width`, each shelf centred. */
function shelve<T extends { x: number; y: number; width: number; height: number }>(boxes: T[], width: number, top: number): T[] {
  let shelf: T[] = [];
  const flush = () => {
    const used = shelf.reduce((sum, box) => sum + box.width, 0) + SECTION_GAP * (shelf.length - 1);
    let left = Math.max(0, (width - used) / 2);
    for (const box of shelf) {
      box.x = left;
      box.y = top;
      left += box.width + SECTION_GAP;
    }
    top += Math.max(0, ...shelf.map((box) => box.height)) + SECTION_GAP;
    shelf = [];
  };
  let used = 0;
  for (const box of boxes) {
    if (shelf.length && used + SECTION_GAP + box.width > width) {
      flush();
      used = 0;
    }
    used += (shelf.length ? SECTION_GAP : 0) + box.width;
    shelf.push(box);
  }
  if (shelf.length) flush();
  return boxes;
}
