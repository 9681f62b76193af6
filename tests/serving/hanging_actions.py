"""The project's real actions, with a switch that makes every answering action hang.

Named as ``actions_module`` by tests/serving/test_inprocess.py: while the file named by
``PMO_TEST_HANG_FILE`` exists, an answering action (``AnswerAction``) sleeps in its
thread, as an action stuck on a dependency that never answers does.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import time
from pathlib import Path
from typing import Any, Dict, List, Text

import actions
from actions import common

for found in pkgutil.walk_packages(actions.__path__, "actions."):
    importlib.import_module(found.name)  # every real action, registered by rasa-sdk as usual

_answer = common.answer


def answer(dispatcher: Any, tracker: Any, job: str) -> List[Dict[Text, Any]]:
    switch = Path(os.environ["PMO_TEST_HANG_FILE"])
    while switch.exists():
        time.sleep(0.05)
    return _answer(dispatcher, tracker, job)


common.answer = answer  # AnswerAction.run calls common's global ``answer``
