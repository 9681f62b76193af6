"""Rasa input channels for the places people chat (Rasa-facing code)."""
