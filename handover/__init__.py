"""The app process: FastAPI service for citizens' widgets, agents' console, Rasa actions and knowledge search.

    app.py, runtime.py  the app factory and its lifespan; building and stopping the handover services
    shell/    what the app runs on: settings, database and migrations, pub/sub, logs, metrics, `make run`'s
              process runner, the `buergerbot` command
    domain/   the handover: conversations and their actions, the relay outbox and the gateway to Rasa, queues,
              office hours, tickets, agent accounts, the persisted models
    web/      the HTTP and websocket faces: citizen and agent sockets, console API, health, pages, the knowledge
              API and Rasa's action endpoint
    console/  the agent console's sources, bundled into static/console/console.js (static/ is served as it is)
    config/   departments and their office hours (BUERGERBOT_DEPARTMENTS_FILE)
"""
