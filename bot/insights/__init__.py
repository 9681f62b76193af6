"""Insights for the PMO Learning team: what visitors ask, what went unanswered, what was recommended.

``python -m bot.insights`` (``make insights``) serves read-only staff pages at
http://localhost:8300 behind ``PMO_INSIGHTS_PASSWORD``; ``python -m
bot.insights migrate`` creates the insights tables, ``refresh`` counts new
events now. The data is Rasa's own tracker store (``events``) in the database
of ``PMO_DATABASE_URL`` (SQLite ``conversations.db`` by default).

- :mod:`bot.insights.mask`: emails and phone numbers masked (pure)
- :mod:`bot.insights.extract`: events to facts (pure)
- :mod:`bot.insights.schema`, :mod:`bot.insights.refresh`: the aggregate tables, kept up to date
- :mod:`bot.insights.queries`, :mod:`bot.insights.pages`, :mod:`bot.insights.charts`: what a page shows
- :mod:`bot.insights.web`: the Sanic site (password, headers, templates)
"""
