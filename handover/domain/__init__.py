"""The handover domain: conversations and their actions, the relay outbox and the gateway to Rasa, queues and
routing, office hours, tickets, agent accounts, and the persisted models (with the bot's service records)."""
