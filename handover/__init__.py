"""The app process: FastAPI service for citizens' widgets, agents' console, Rasa actions and knowledge search."""
