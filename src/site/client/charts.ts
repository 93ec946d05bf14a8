/**
 * The charts, drawn by uPlot (canvas; a thousand points in a few milliseconds): a metric across versions
 * with the stage holders marked, the stage timeline (which version held each stage over time, as steps),
 * and the compare view's changes against the baseline. Colours come from the stylesheet's custom
 * properties, so charts follow the light or dark scheme; every chart has its numbers in a table beside it.
 */
import uPlot from 'uplot';
import type { MetricSeries, StageTimeline } from '../view/model.js';
import { num } from '../view/format.js';

const live = new Set<uPlot>();

/** After the browser has laid out and painted what is on the page now: a frame, then a task. */
export function afterPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

/** Charts of the page being left. */
export function destroyCharts(): void {
  for (const c of live) c.destroy();
  live.clear();
}

let resizeTimer: ReturnType<typeof setTimeout> | undefined;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => {
    for (const c of live) {
      const w = c.root.parentElement?.clientWidth;
      if (w) c.setSize({ width: w, height: c.height });
    }
  }, 150);
});

function colour(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

export function stageColour(i: number): string {
  return colour(`--stage-${i % 6}`, ['#2f7d32', '#b26a00', '#c62828', '#6a1b9a', '#00838f', '#4e342e'][i % 6]!);
}

function axis(values?: uPlot.Axis.Values, extra: Partial<uPlot.Axis> = {}): uPlot.Axis {
  const fg = colour('--muted', '#555');
  return {
    stroke: fg,
    grid: { stroke: colour('--grid', '#ddd'), width: 1 },
    ticks: { stroke: colour('--grid', '#ddd'), width: 1 },
    ...(values ? { values } : {}),
    ...extra,
  };
}

const noLine: uPlot.Series.PathBuilder = () => null;

function mount(target: HTMLElement, opts: uPlot.Options, data: uPlot.AlignedData): uPlot {
  const chart = new uPlot(opts, data, target);
  live.add(chart);
  return chart;
}

function width(target: HTMLElement): number {
  return Math.max(320, Math.min(target.clientWidth || 720, 1100));
}

/** A chart over named points on x (versions, metrics): the names on the axis and in the legend. */
function categoryChart(
  target: HTMLElement,
  names: string[],
  what: string,
  height: number,
  series: uPlot.Series[],
  yAxis: uPlot.Axis,
  data: (number | null)[][],
): uPlot {
  const label = (i: number | null) => (i !== null && Number.isInteger(i) ? (names[i] ?? '') : '');
  return mount(
    target,
    {
      width: width(target),
      height,
      scales: { x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] } },
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      series: [{ label: what, value: (_u, v) => (v === null ? '—' : label(v)) }, ...series],
      axes: [axis((_u, splits) => splits.map(label), { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000], space: what === 'version' ? 70 : 40 }), yAxis],
    },
    [names.map((_, i) => i), ...data],
  );
}

/** A series of marks only, no line: stage holders, compared versions. */
const marks = (label: string, colourOf: string, size: number, value: (v: number | null) => string): uPlot.Series => ({
  label,
  stroke: colourOf,
  fill: colourOf,
  paths: noLine,
  points: { show: true, size, width: 2 },
  value: (_u, v) => value(v),
});

/** One metric across the versions, oldest to newest; each stage holder marked in its stage's colour. */
export function metricChart(target: HTMLElement, s: MetricSeries, stages: string[]): uPlot {
  const line: uPlot.Series = {
    label: s.metric,
    stroke: colour('--accent', '#1565c0'),
    width: 2,
    points: { show: s.versions.length <= 200, size: 5 },
    value: (_u, v) => num(v),
    spanGaps: true,
  };
  const holders = s.holders.map((hd) => marks(`${hd.stage} (${hd.version})`, stageColour(stages.indexOf(hd.stage)), 12, (v) => num(v)));
  const data = [s.values, ...s.holders.map((hd) => s.versions.map((_, i) => (i === hd.index ? hd.value : null)))];
  return categoryChart(
    target,
    s.versions,
    'version',
    220,
    [line, ...holders],
    axis((_u, splits) => splits.map((v) => num(v)), { size: 60 }),
    data,
  );
}

/**
 * The stage timeline: for each stage, the version holding it over time, as steps (y: the version, in
 * version order). `on`, a day, puts the cursor there.
 */
export function timelineChart(target: HTMLElement, t: StageTimeline, versionsAsc: string[], now: number): uPlot {
  const index = new Map(versionsAsc.map((v, i) => [v, i]));
  const times = new Set<number>([now]);
  for (const i of t.intervals) {
    times.add(Date.parse(i.from) / 1000);
    if (i.to) times.add(Date.parse(i.to) / 1000);
  }
  const xs = [...times].sort((a, b) => a - b);
  // One sweep per stage over its stays in time order (they follow each other, never overlap): a search of
  // every stay at every moment was stages × moments × stays, most of the 1,000-version page's chart time.
  const stays = t.intervals.map((i) => ({
    stage: i.stage,
    version: i.version,
    from: Date.parse(i.from) / 1000,
    to: i.to === null ? Infinity : Date.parse(i.to) / 1000,
  }));
  const series = t.stages.map((stage) => {
    const mine = stays.filter((i) => i.stage === stage).sort((a, b) => a.from - b.from);
    let k = 0;
    return xs.map((x) => {
      while (k < mine.length && mine[k]!.to <= x) k++;
      const at = mine[k];
      return at && at.from <= x ? (index.get(at.version) ?? null) : null;
    });
  });
  const label = (v: number | null) => (v !== null && Number.isInteger(v) ? (versionsAsc[v] ?? '') : '');
  return mount(
    target,
    {
      width: width(target),
      height: Math.max(180, Math.min(420, 60 + versionsAsc.length * 14)),
      scales: { x: { time: true }, y: { range: [-0.5, Math.max(0.5, versionsAsc.length - 0.5)] } },
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      series: [
        {},
        ...t.stages.map((stage, i) => ({
          label: stage,
          stroke: stageColour(i),
          width: 3,
          paths: uPlot.paths.stepped!({ align: 1 }),
          points: { show: true, size: 7 },
          value: (_u: uPlot, v: number | null) => (v === null ? '—' : label(v)),
        })),
      ],
      axes: [axis(undefined, { space: 80 }), axis((_u, splits) => splits.map(label), { size: 80, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] })],
    },
    [xs, ...series],
  );
}

/** Put a chart's cursor on a moment (seconds), so its legend reads the values there. */
export function pointAt(chart: uPlot, seconds: number): void {
  const left = chart.valToPos(seconds, 'x');
  if (Number.isFinite(left)) chart.setCursor({ left, top: 10 });
}

/** The compare view: for each metric, each version's change against the baseline, in percent. */
export function changeChart(target: HTMLElement, metrics: string[], series: { ref: string; values: (number | null)[] }[]): uPlot {
  const percent = (v: number | null) => (v === null ? '—' : `${num(v, true)} %`);
  return categoryChart(
    target,
    metrics,
    'metric',
    240,
    series.map((s, i) => marks(s.ref, stageColour(i), 12, percent)),
    axis((_u, splits) => splits.map(percent), { size: 70 }),
    series.map((s) => s.values),
  );
}
