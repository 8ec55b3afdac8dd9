"""Custom Rasa actions of the Bürgerbot, served by the app process (handover/web/rasa_action_endpoint.py).

One module per concept: knowledge answers, handover, defect report form, application status form.
Every module is imported by rasa_sdk's `ActionExecutor.register_package("bot.actions")`.
"""
