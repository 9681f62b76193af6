"""Rasa SDK custom actions: thin glue between the tracker and ``bot``."""
