"""PMO Learning Assistant: the domain (knowledge base, dialogue, answers, recommendation) and
the Rasa-facing packages around it.

Importing ``bot`` is cheap and pulls in neither Rasa nor spaCy (tests/test_imports.py): the
Rasa- and Sanic-facing code (``bot.nlu``'s components, ``bot.channels``, ``bot.serving``,
the tracker and lock stores in ``bot.storage``, the staff pages' server in ``bot.insights``)
is imported only where it is named. docs/architecture.md says what each package owns.
"""

from bot.knowledge_base import KnowledgeBase, KnowledgeBaseError, load_knowledge_base

__all__ = ["KnowledgeBase", "KnowledgeBaseError", "load_knowledge_base"]
