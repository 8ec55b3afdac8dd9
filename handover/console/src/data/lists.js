// The signed-in agent and the lists the server pushes: departments, team, queues, watch list, live list and
// callback tickets. Each setter changes the store and notifies its topic.
import { notify, state } from '../store.js';

export function isSupervisor() {
  return Boolean(state.agent && (state.agent.role === 'supervisor' || state.agent.role === 'admin'));
}

export function setAgent(agent) {
  state.agent = agent;
  notify('agent');
}

/** The first frame after every (re)connect: everything the lists show, from scratch. */
export function applySnapshot(frame) {
  state.agent = frame.agent || state.agent;
  state.departments = frame.departments || [];
  state.agents = frame.agents || [];
  state.queues = frame.queues || [];
  state.watch = frame.watch || [];
  state.live = frame.live || [];
  state.tickets = new Map((frame.tickets || []).map((ticket) => [ticket.id, ticket]));
  for (const topic of ['agent', 'queues', 'watch', 'live', 'agents', 'tickets']) notify(topic);
  state.synced = true;
  notify('synced');
}

/** queues, watch or live: replaced as a whole by the server's update frames. */
export function setList(name, items) {
  state[name] = items || [];
  notify(name);
}

export function setAgents(agents) {
  state.agents = agents || [];
  const me = state.agents.find((agent) => state.agent && agent.id === state.agent.id);
  if (me) state.agent = { ...state.agent, ...me };
  notify('agent');
  notify('agents');
}

export function setOwnPresence(presence) {
  // No re-render: the select the agent just changed already shows it.
  if (state.agent) state.agent.presence = presence;
}

export function removeFromQueues(conversationId) {
  for (const queue of state.queues) {
    queue.waiting = (queue.waiting || []).filter((conversation) => conversation.id !== conversationId);
  }
  notify('queues');
}

/** Stores a ticket; true when it was not known before. */
export function putTicket(ticket) {
  const isNew = !state.tickets.has(ticket.id);
  state.tickets.set(ticket.id, ticket);
  notify('tickets');
  return isNew;
}
