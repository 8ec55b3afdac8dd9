// One insights table as the page shows it: heading, definition, chart (views/insights_charts.js), the table itself
// (what screen readers read) and its CSV download. Values are formatted by column kind; figures withheld because
// fewer than five conversations stand behind them read "< 5".
import { csvUrl } from '../data/insights.js';
import { el, idPart, safeLink } from '../dom.js';
import { formatDuration, languageLabel } from '../format.js';
import { labelFor, locale, t } from '../i18n/index.js';
import { state } from '../store.js';
import { barChart, columnChart, heatmap, lineChart } from './insights_charts.js';

const OTHER = '__other__';
const ALL = '__all__';
const NUMERIC = new Set(['count', 'percent', 'seconds', 'number']);

function number(value, digits = 0) {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(value);
}

export function formatValue(value, kind) {
  if (value === null || value === undefined) return NUMERIC.has(kind) ? t('insights.fewer') : '–';
  switch (kind) {
    case 'percent':
      return `${number(value * 100, 1)} %`;
    case 'seconds':
      return duration(value);
    case 'count':
      return number(value);
    case 'number':
      return number(value, 2);
    case 'day':
      return formatDay(value);
    default:
      return String(value);
  }
}

/** 75 → "1 min 15 s": waits and first responses are short, whole minutes would hide the difference. */
function duration(seconds) {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return s % 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s / 60} min`;
  return formatDuration(s);
}

export function formatDay(value) {
  const date = new Date(`${value}T12:00:00`);
  if (Number.isNaN(date.getTime())) return String(value ?? '');
  return new Intl.DateTimeFormat(locale(), { day: '2-digit', month: '2-digit', year: 'numeric' }).format(date);
}

function shortDay(value) {
  const date = new Date(`${value}T12:00:00`);
  if (Number.isNaN(date.getTime())) return String(value ?? '');
  return new Intl.DateTimeFormat(locale(), { day: '2-digit', month: '2-digit' }).format(date);
}

/** "umzug" → "Umzug", "ausweise-und-dokumente" → "Ausweise und dokumente" (life event folders). */
export function lifeEventLabel(slug) {
  const text = String(slug || '').replace(/-/g, ' ');
  return text ? text[0].toUpperCase() + text.slice(1) : t('insights.none');
}

function departmentName(key) {
  const found = (state.insights.meta?.departments || []).find((d) => d.key === key);
  return found ? found.name : key;
}

/** The text of a category cell: server codes and keys made readable. */
function categoryText(table, row, key) {
  const value = row[key];
  if (value === OTHER || row.key === OTHER) return key === table.x || key === table.columns[0].key ? t('insights.other') : value;
  if (row.key === ALL && key === table.columns[0].key) return t('insights.all');
  if (value === '' || value === null || value === undefined || (row.key === '' && key === table.columns[0].key)) {
    return key === table.columns[0].key ? t('insights.none') : '';
  }
  if (table.id === 'volume_lebenslage' && key === 'group') return lifeEventLabel(value);
  if (table.id === 'volume_department' && key === 'group') return departmentName(value);
  if (table.id === 'volume_language' && key === 'group') return languageLabel(value);
  if (table.id === 'people_departments' && key === 'department' && row.key) return departmentName(row.key) || value;
  const translated = labelFor(`insights.row.${table.id}`, row.key);
  if (key === table.columns[0].key && row.key && translated !== row.key) return translated;
  return String(value);
}

function columnLabel(table, column) {
  const key = `insights.col.${column.key}`;
  const label = t(key);
  return label === key ? column.label : label;
}

export function tableTitle(table) {
  const key = `insights.table.${table.id}`;
  const title = t(key);
  return title === key ? table.title : title;
}

function definitionText(table) {
  const key = `insights.def.${table.id}`;
  const text = t(key);
  return text === key ? table.definition : text;
}

function cell(table, column, row) {
  const value = row[column.key];
  if (column.kind === 'link') return el('td', {}, value ? safeLink(value, t('insights.openPage')) : '–');
  if (column.kind === 'text') return el('td', { text: categoryText(table, row, column.key) });
  return el('td', { className: NUMERIC.has(column.kind) ? 'num' : undefined, text: formatValue(value, column.kind) });
}

export function renderTable(table, { compact = false } = {}) {
  const captionId = `caption-${idPart(table.id)}`;
  const head = el('tr', {}, table.columns.map((c) => el('th', { scope: 'col', text: columnLabel(table, c) })));
  const rows = table.rows.length
    ? table.rows.map((row) => el('tr', {}, table.columns.map((c, index) => {
      const td = cell(table, c, row);
      if (index === 0 && c.kind === 'text') {
        const th = el('th', { scope: 'row', text: td.textContent });
        return th;
      }
      return td;
    })))
    : [el('tr', {}, el('td', { colspan: String(table.columns.length), text: t('insights.noRows') }))];
  const element = el('table', { className: compact ? 'insights-table compact' : 'insights-table' }, [
    el('caption', { id: captionId, text: tableTitle(table) }),
    el('thead', {}, head),
    el('tbody', {}, rows),
  ]);
  // Wide tables scroll; the region is focusable so keyboard users can scroll it too.
  // Long tables (a month of days) get a scroll box of their own, so the page stays short.
  const className = table.rows.length > 12 ? 'table-wrap tall' : 'table-wrap';
  return el('div', { className, tabindex: '0', role: 'region', 'aria-labelledby': captionId }, element);
}

function chartFor(table) {
  if (!table.chart || !table.rows.length) return null;
  const title = tableTitle(table);
  const xColumn = table.columns.find((c) => c.key === table.x);
  const labels = table.rows.map((row) => (xColumn && xColumn.kind === 'day' ? row[table.x]
    : categoryText(table, row, table.x)));
  const kindOf = (key) => (table.columns.find((c) => c.key === key) || {}).kind;
  if (table.chart === 'heatmap') {
    return heatmap({ title, rows: labels, columns: table.y.map((key) => key.slice(1)),
      values: table.rows.map((row) => table.y.map((key) => row[key])) });
  }
  if (table.chart === 'columns') {
    return columnChart({ title, labels, values: table.rows.map((row) => row[table.y[0]]), labelFormat: shortDay,
      format: (v) => formatValue(v, kindOf(table.y[0])) });
  }
  if (table.chart === 'line') {
    const isRating = table.id === 'csat_trend';
    return lineChart({ title, labels, values: table.rows.map((row) => row[table.y[0]]), labelFormat: shortDay,
      format: (v) => number(v, 1), min: isRating ? 1 : 0, max: isRating ? 5 : undefined });
  }
  const series = table.y.map((key) => ({ kind: kindOf(key), values: table.rows.map((row) => row[key]) }));
  return barChart({ title, labels, series, format: (v, kind) => formatValue(v, kind) });
}

function legend(table) {
  if (table.chart !== 'bars' || table.y.length < 2) return null;
  return el('p', { className: 'hint', text: t('insights.legend', {
    first: columnLabel(table, table.columns.find((c) => c.key === table.y[0])),
    second: columnLabel(table, table.columns.find((c) => c.key === table.y[1])),
  }) });
}

/** The whole card of one table; `report` names it for the CSV link. */
export function tableCard(report, table) {
  const headingId = `table-${idPart(table.id)}`;
  const chart = chartFor(table);
  return el('section', { className: 'insights-card', 'aria-labelledby': headingId, dataset: { table: table.id } }, [
    el('h2', { id: headingId, text: tableTitle(table) }),
    definitionText(table) ? el('p', { className: 'definition', text: definitionText(table) }) : null,
    table.note ? el('p', { className: 'note', text: table.note }) : null,
    chart ? el('figure', { className: 'chart' }, [chart, legend(table)]) : null,
    renderTable(table, { compact: table.chart === 'heatmap' }),
    el('p', { className: 'table-actions' }, [
      el('a', { href: csvUrl(report, table.id), download: `${table.id}.csv`,
        text: t('insights.csv', { title: tableTitle(table) }) }),
    ]),
  ]);
}
