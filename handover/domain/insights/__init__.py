"""Insights for supervisors and editors (issue 15; definitions in docs/insights.md).

`recording` writes the analytics facts where the conversation actions store what happened; one module per report
reads them with SQL that runs on SQLite and PostgreSQL alike (`filters` holds the date range and filters they
share); `gaps` clusters the questions the bot could not answer for the editors. Kept free of imports here, so the
conversation actions that record facts do not load the reports (or faiss)."""
