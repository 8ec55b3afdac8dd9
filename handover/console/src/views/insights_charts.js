// Small SVG charts for the insights tables, drawn here without any library or outside request. A chart is a
// picture of the table printed right below it: the SVG has role="img" and a label that says so, its parts are
// hidden from screen readers, and every figure can be read in the table.
import { t } from '../i18n/index.js';

const NS = 'http://www.w3.org/2000/svg';

function svgEl(tag, attrs = {}, text) {
  const node = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) node.setAttribute(key, String(value));
  }
  if (text !== undefined) node.textContent = String(text);
  return node;
}

function frame(width, height, title) {
  const svg = svgEl('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', focusable: 'false' });
  svg.setAttribute('aria-label', t('insights.chartLabel', { title }));
  return svg;
}

function numeric(value) {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function shorten(text, max) {
  const value = String(text ?? '');
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}

/** Horizontal bars: one row per category, one bar per series (`keys`). */
export function barChart({ title, labels, series, format }) {
  const rowHeight = 22 * Math.max(1, series.length) + 8;
  const labelWidth = 270;
  const width = 720;
  const height = labels.length * rowHeight + 10;
  const max = Math.max(1, ...series.flatMap((s) => s.values.map((v) => numeric(v) ?? 0)));
  const svg = frame(width, height, title);
  const group = svgEl('g', { 'aria-hidden': 'true' });
  labels.forEach((label, row) => {
    const top = row * rowHeight + 4;
    group.append(svgEl('text', { x: labelWidth - 8, y: top + 15, 'text-anchor': 'end', class: 'chart-label' },
      shorten(label, 34)));
    series.forEach((s, index) => {
      const value = numeric(s.values[row]);
      const barWidth = value === null ? 0 : Math.max(1, ((width - labelWidth - 70) * value) / max);
      const y = top + index * 22;
      group.append(svgEl('rect', { x: labelWidth, y, width: barWidth, height: 18,
        class: index ? 'chart-bar alt' : 'chart-bar' }));
      group.append(svgEl('text', { x: labelWidth + barWidth + 4, y: y + 14, class: 'chart-value' },
        value === null ? '–' : format(value, s.kind)));
    });
  });
  group.append(svgEl('line', { x1: labelWidth, y1: 0, x2: labelWidth, y2: height, class: 'chart-axis' }));
  svg.append(group);
  return svg;
}

/** Vertical columns over a sequence (days): every value a column, a few labels on the axis. */
export function columnChart({ title, labels, values, labelFormat, format }) {
  const width = 720;
  const height = 200;
  const left = 40;
  const bottom = 24;
  const max = Math.max(1, ...values.map((v) => numeric(v) ?? 0));
  const step = (width - left - 4) / Math.max(1, values.length);
  const svg = frame(width, height, title);
  const group = svgEl('g', { 'aria-hidden': 'true' });
  group.append(svgEl('text', { x: left - 6, y: 12, 'text-anchor': 'end', class: 'chart-label' }, format(max)));
  group.append(svgEl('text', { x: left - 6, y: height - bottom, 'text-anchor': 'end', class: 'chart-label' }, '0'));
  const every = Math.max(1, Math.ceil(values.length / 8));
  values.forEach((raw, index) => {
    const value = numeric(raw) ?? 0;
    const barHeight = ((height - bottom - 8) * value) / max;
    const x = left + index * step;
    group.append(svgEl('rect', { x: x + step * 0.1, y: height - bottom - barHeight, width: Math.max(1, step * 0.8),
      height: barHeight, class: 'chart-bar' }));
    if (index % every === 0) {
      group.append(svgEl('text', { x: x + step / 2, y: height - 6, 'text-anchor': 'middle', class: 'chart-label' },
        labelFormat(labels[index])));
    }
  });
  group.append(svgEl('line', { x1: left, y1: height - bottom, x2: width, y2: height - bottom, class: 'chart-axis' }));
  svg.append(group);
  return svg;
}

/** A line over a sequence; missing values (too few figures) break the line. */
export function lineChart({ title, labels, values, labelFormat, format, min = 0, max: fixedMax }) {
  const width = 720;
  const height = 200;
  const left = 40;
  const bottom = 24;
  const max = fixedMax ?? Math.max(1, ...values.map((v) => numeric(v) ?? 0));
  const step = (width - left - 10) / Math.max(1, values.length - 1);
  const y = (value) => height - bottom - ((height - bottom - 10) * (value - min)) / Math.max(1e-9, max - min);
  const svg = frame(width, height, title);
  const group = svgEl('g', { 'aria-hidden': 'true' });
  group.append(svgEl('text', { x: left - 6, y: y(max) + 4, 'text-anchor': 'end', class: 'chart-label' }, format(max)));
  group.append(svgEl('text', { x: left - 6, y: y(min) + 4, 'text-anchor': 'end', class: 'chart-label' }, format(min)));
  let points = [];
  const flush = () => {
    if (points.length > 1) group.append(svgEl('polyline', { points: points.join(' '), class: 'chart-line' }));
    points = [];
  };
  const every = Math.max(1, Math.ceil(values.length / 8));
  values.forEach((raw, index) => {
    const value = numeric(raw);
    const x = left + index * step;
    if (value === null) flush();
    else {
      points.push(`${x},${y(value)}`);
      group.append(svgEl('circle', { cx: x, cy: y(value), r: 3, class: 'chart-point' }));
    }
    if (index % every === 0) {
      group.append(svgEl('text', { x, y: height - 6, 'text-anchor': 'middle', class: 'chart-label' },
        labelFormat(labels[index])));
    }
  });
  flush();
  group.append(svgEl('line', { x1: left, y1: height - bottom, x2: width, y2: height - bottom, class: 'chart-axis' }));
  svg.append(group);
  return svg;
}

/** Weekday × hour grid; darker is more. */
export function heatmap({ title, rows, columns, values }) {
  const cell = 24;
  const left = 34;
  const top = 18;
  const width = left + columns.length * cell + 4;
  const height = top + rows.length * cell + 4;
  const max = Math.max(1, ...values.flat().map((v) => numeric(v) ?? 0));
  const svg = frame(width, height, title);
  const group = svgEl('g', { 'aria-hidden': 'true' });
  columns.forEach((label, index) => {
    if (index % 3 === 0) {
      group.append(svgEl('text', { x: left + index * cell + cell / 2, y: 12, 'text-anchor': 'middle',
        class: 'chart-label' }, label));
    }
  });
  rows.forEach((label, row) => {
    group.append(svgEl('text', { x: left - 6, y: top + row * cell + 16, 'text-anchor': 'end', class: 'chart-label' },
      label));
    columns.forEach((_, column) => {
      const value = numeric(values[row][column]) ?? 0;
      // from a light grey-blue (nothing) to the primary blue (the busiest hour)
      const share = value / max;
      const light = Math.round(96 - share * 66);
      group.append(svgEl('rect', { x: left + column * cell, y: top + row * cell, width: cell - 2, height: cell - 2,
        fill: `hsl(210, 70%, ${light}%)` }));
    });
  });
  svg.append(group);
  return svg;
}
