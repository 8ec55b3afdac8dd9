"""The app's HTTP and websocket faces: the citizen and agent websockets (with the wire formats they speak),
the console's HTTP API, health and pages, the knowledge API and Rasa's action endpoint. Handlers parse,
call the domain and send back what it returns."""
