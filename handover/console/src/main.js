// Bürgerbot agent console: entry point of the bundle served at /static/console/console.js (built by
// widget/build.mjs). Protocol: docs/protocol.md (agent websocket /ws/agent, /api/console/*).
//
// How it fits together (the pattern of Zulip's web client and Chatwoot's dashboard): connection.js moves frames,
// dispatch.js turns each frame into changes of the store (store.js, data/*), views/* and dialogs/* render from the
// store and call actions.js for what the agent does. Views never touch each other's elements.
// Security rule for every module: text from the server is put into the page with textContent or as an
// attribute value (dom.js), never parsed as HTML.
import { sendRead } from './actions.js';
import { mountAttention } from './attention.js';
import { onFrame } from './connection.js';
import { activeChat, clearUnread } from './data/chats.js';
import { mountArticleDialog } from './dialogs/article.js';
import { mountCannedDialog } from './dialogs/canned.js';
import { mountCloseDialog } from './dialogs/close.js';
import { mountModals } from './dialogs/modal.js';
import { mountTransferDialog } from './dialogs/transfer.js';
import { dispatchFrame } from './dispatch.js';
import { translateTree } from './i18n/index.js';
import { mountSession, resumeSession } from './session.js';
import { state } from './store.js';
import { mountAccessAudit } from './views/access_audit.js';
import { mountChatTabs } from './views/chat_tabs.js';
import { mountComposers } from './views/composer.js';
import { mountConnectionStatus } from './views/connection_status.js';
import { mountContextPanel } from './views/context_panel.js';
import { mountInsightsPage } from './views/insights_page.js';
import { mountConversations } from './views/conversation.js';
import { mountLive } from './views/live.js';
import { mountPageTitle } from './views/page_title.js';
import { mountQueues } from './views/queues.js';
import { mountReports } from './views/reports.js';
import { mountTeam } from './views/team.js';
import { mountTicketDesk } from './views/ticket_desk.js';
import { mountTickets } from './views/tickets.js';
import { mountTopbar } from './views/topbar.js';
import { mountViewSwitch } from './views/view_switch.js';
import { mountTranscripts } from './views/transcript.js';
import { mountWatch } from './views/watch.js';

function mountAll() {
  document.documentElement.lang = state.lang;
  translateTree(document);
  for (const mount of [
    mountSession,
    mountTopbar,
    mountConnectionStatus,
    mountAttention,
    mountPageTitle,
    mountQueues,
    mountWatch,
    mountLive,
    mountTeam,
    mountTickets,
    mountViewSwitch,
    mountTicketDesk,
    mountReports,
    mountAccessAudit,
    mountChatTabs,
    mountConversations,
    mountTranscripts,
    mountComposers,
    mountContextPanel,
    mountModals,
    mountTransferDialog,
    mountCloseDialog,
    mountArticleDialog,
    mountCannedDialog,
  ]) {
    mount();
  }
  document.addEventListener('visibilitychange', () => {
    const chat = activeChat();
    if (chat && document.visibilityState === 'visible') {
      clearUnread(chat);
      sendRead(chat);
    }
  });
  onFrame(dispatchFrame);
}

function boot() {
  if (document.body.dataset.page === 'insights') {
    // /console/insights: the reports and knowledge gaps, no chats and no websocket.
    document.documentElement.lang = state.lang;
    translateTree(document);
    mountInsightsPage();
    return;
  }
  mountAll();
  resumeSession();
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
else boot();
