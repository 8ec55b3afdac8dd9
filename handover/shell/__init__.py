"""The app shell: what any feature of the app process runs on — settings, the database (engine, sessions,
migrations), pub/sub between replicas, log format, metrics, the `make run` process runner with Rasa's
endpoints file, and the `buergerbot` command. Nothing here knows about conversations."""
