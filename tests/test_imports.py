"""`bot` is the domain: importing it must not pull in Rasa, the SDK or Sanic."""

import subprocess
import sys

HEAVY = ("rasa", "rasa_sdk", "sanic", "tensorflow")


def test_bot_domain_imports_without_rasa():
    code = (
        "import sys, bot, bot.knowledge_base, bot.recommend, bot.answers\n"
        "bot.knowledge_base.default_knowledge_base()\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_nothing_is_read_at_import():
    code = "import bot.knowledge_base as k\n" "print(k.default_knowledge_base.cache_info().currsize)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "0"
