"""An in-process action keeps its turn's admission place briefly, then lets others go (bot/serving/inprocess.py)."""

from __future__ import annotations

import asyncio
import gc
from typing import List

from bot.serving.gate import FifoGate
from bot.serving.heap import freeze
from bot.serving.inprocess import holding_place
from bot.turns import Admission, current_admission


async def _turn_with_action(action_seconds: float, hold: float, seen: List[str]) -> str:
    gate = FifoGate(1)
    admission = Admission(gate, await gate.acquire())
    token = current_admission.set(admission)

    async def action() -> str:
        await asyncio.sleep(action_seconds)
        seen.append("held" if admission.held else "stepped out")
        return "done"

    async def another_visitor() -> None:
        await gate.acquire()  # gets in only while the action's turn has stepped out
        seen.append("other visitor admitted")
        gate.release()

    other = asyncio.ensure_future(another_visitor())
    try:
        result = await holding_place(action(), hold=hold)
    finally:
        current_admission.reset(token)
    seen.append("back" if admission.held else "not back")
    admission.step_out()
    await other
    return result


def test_a_quick_action_keeps_the_place_so_no_later_message_overtakes_it():
    seen: List[str] = []
    assert asyncio.run(_turn_with_action(0.01, hold=0.5, seen=seen)) == "done"
    assert seen == ["held", "back", "other visitor admitted"]


def test_a_slow_action_gives_the_place_up_and_takes_it_back():
    seen: List[str] = []
    assert asyncio.run(_turn_with_action(0.3, hold=0.05, seen=seen)) == "done"
    assert seen == ["other visitor admitted", "stepped out", "back"]


def test_a_cancelled_turn_cancels_its_action():
    async def scenario() -> bool:
        started = asyncio.Event()

        async def action() -> None:
            started.set()
            await asyncio.sleep(10)

        task = asyncio.ensure_future(holding_place(action(), hold=0.01))
        await started.wait()
        await asyncio.sleep(0.05)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await asyncio.sleep(0)
        return all(t.done() for t in asyncio.all_tasks() if t is not asyncio.current_task())

    assert asyncio.run(scenario())


def test_freeze_moves_the_objects_alive_now_out_of_full_collections():
    try:
        assert freeze() > 1000 and gc.get_freeze_count() > 1000
    finally:
        gc.unfreeze()
