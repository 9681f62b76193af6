"""PMO Learning Assistant domain: knowledge base, recommendation and answers.

Importing ``bot`` is cheap and pulls in neither Rasa nor spaCy; the Rasa-facing
code lives in ``bot.nlu`` (and, later, ``bot.channels``).
"""

from bot.knowledge_base import KnowledgeBase, KnowledgeBaseError, load_knowledge_base

__all__ = ["KnowledgeBase", "KnowledgeBaseError", "load_knowledge_base"]
