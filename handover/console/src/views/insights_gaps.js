// Knowledge gaps for editors: one card per cluster of unanswered questions (size, trend, kinds, up to five redacted
// examples, the nearest article) with what an editor does next: open the article, copy a ready `questions:` entry
// for its front matter, mark the cluster "new article needed" or "out of scope". Below: the clusters as a table
// (chart, screen readers, CSV).
import { markGap } from '../data/insights.js';
import { el, idPart, safeLink } from '../dom.js';
import { t } from '../i18n/index.js';
import { subscribe } from '../store.js';
import { tableCard } from './insights_tables.js';

const KINDS = ['no_answer', 'unpicked', 'not_helpful', 'handover'];

async function copyText(text, status) {
  try {
    await navigator.clipboard.writeText(text);
    status.textContent = t('insights.gaps.copied');
  } catch {
    status.textContent = t('insights.gaps.copyFailed');
  }
}

function markButtons(cluster, titleId, status) {
  const current = cluster.mark ? cluster.mark.status : null;
  const button = (value, label) => el('button', {
    type: 'button',
    className: 'secondary',
    'aria-pressed': current === value ? 'true' : 'false',
    'aria-describedby': titleId,
    onclick: async () => {
      status.textContent = '';
      try {
        await markGap(cluster, current === value ? 'clear' : value);
        status.textContent = cluster.mark ? t('insights.gaps.marked', { mark: t(`insights.mark.${cluster.mark.status}`) })
          : t('insights.gaps.unmarked');
      } catch (error) {
        status.textContent = error.message || String(error);
      }
    },
    text: label,
  });
  return [button('new_article', t('insights.mark.new_article')), button('out_of_scope', t('insights.mark.out_of_scope'))];
}

function gapCard(cluster) {
  const titleId = `gap-${idPart(cluster.key)}`;
  const status = el('p', { className: 'hint', role: 'status' });
  const kinds = KINDS.filter((kind) => cluster.kinds[kind])
    .map((kind) => `${t(`insights.kind.${kind}`)} ${cluster.kinds[kind]}`).join(' · ');
  const article = cluster.article;
  const card = el('li', { className: 'gap', dataset: { key: cluster.key, mark: cluster.mark ? cluster.mark.status : '' } }, [
    el('h3', { id: titleId }, [
      cluster.label,
      cluster.mark ? el('span', { className: 'mark-badge', text: t(`insights.mark.${cluster.mark.status}`) }) : null,
    ]),
    el('p', { className: 'meta' }, [
      t('insights.gaps.size', { conversations: cluster.conversations, questions: cluster.questions }),
      ' · ',
      el('span', { className: `trend-${cluster.trend}`, text: t(`insights.trend.${cluster.trend}`, {
        earlier: cluster.earlier, recent: cluster.recent }) }),
    ]),
    kinds ? el('p', { className: 'meta', text: kinds }) : null,
    el('p', { className: 'meta', text: t('insights.gaps.examples') }),
    el('ul', { className: 'examples' }, cluster.examples.map((example) => el('li', { text: example }))),
    article
      ? el('p', {}, [
        t('insights.gaps.nearest'), ' ',
        el('strong', { text: article.title }),
        ` (${t('insights.gaps.similarity', { value: article.similarity.toFixed(2) })})`,
        article.path ? el('span', { className: 'meta', text: ` · ${article.path}` }) : null,
      ])
      : el('p', { className: 'meta', text: t('insights.gaps.noArticle') }),
    el('details', {}, [
      el('summary', { text: t('insights.gaps.yamlSummary') }),
      el('pre', { text: cluster.questions_yaml }),
    ]),
    el('div', { className: 'item-actions', role: 'group', 'aria-labelledby': titleId }, [
      article && article.url ? safeLink(article.url, t('insights.gaps.openArticle', { title: article.title })) : null,
      el('button', { type: 'button', className: 'secondary', 'aria-describedby': titleId,
        onclick: () => copyText(cluster.questions_yaml, status), text: t('insights.gaps.copy') }),
      ...markButtons(cluster, titleId, status),
    ]),
    status,
  ]);
  return card;
}

/** The gaps page content for `result` (GET /api/insights/gaps). */
export function renderGaps(result) {
  const nodes = [];
  const summary = [t('insights.gaps.summary', { questions: result.total_questions, clusters: result.clusters.length })];
  if (result.small.clusters) summary.push(t('insights.gaps.small', result.small));
  if (result.truncated) summary.push(t('insights.gaps.truncated', { n: result.clustered_questions }));
  if (result.pending) summary.push(t('insights.gaps.pending', { n: result.pending }));
  nodes.push(el('section', { className: 'insights-card', 'aria-labelledby': 'gaps-heading' }, [
    el('h2', { id: 'gaps-heading', text: t('insights.gaps.heading') }),
    el('p', { className: 'definition', text: t('insights.def.gaps') }),
    el('p', { className: 'note', text: summary.join(' ') }),
    result.clusters.length
      ? el('ul', { className: 'gap-list', id: 'gap-list' }, result.clusters.map(gapCard))
      : el('p', { text: t('insights.gaps.none') }),
  ]));
  nodes.push(tableCard('gaps', { ...result.table, chart: result.clusters.length ? 'bars' : null, x: 'label',
    y: ['conversations'] }));
  return nodes;
}

export function mountGapMarks(rerender) {
  subscribe('insights-mark', rerender);
}
