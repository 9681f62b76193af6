"""bot.channels.limits and bot.channels.body without a server: windows, reset, Redis, addresses."""

import asyncio
import ipaddress
import uuid

import pytest

from bot.channels.body import DEFAULT_MAX_BODY_BYTES
from bot.channels.limits import (
    REDIS_TIMEOUT,
    Limits,
    MemoryWindow,
    Rate,
    RedisWindow,
    client_address,
    parse_proxies,
    parse_rate,
    retry_after_header,
)
from bot.settings import load
from bot.storage.redis_clients import async_client


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def hits(window, key, n):
    async def go():
        return [(await window.hit(key)).allowed for _ in range(n)]

    return asyncio.run(go())


@pytest.mark.parametrize(
    "value,rate",
    [
        ("20/60", Rate(20, 60.0)),
        (" 3/1.5 ", Rate(3, 1.5)),
        ("5", Rate(5, 60.0)),
        ("0", None),
        ("", None),
        (None, None),
        ("off", None),
        ("0/60", None),
    ],
)
def test_parse_rate(value, rate):
    assert parse_rate(value) == rate


@pytest.mark.parametrize("value", ["abc", "20/", "20/0", "-1/60", "20/-5", "20/inf", "1/100000"])
def test_parse_rate_refuses_nonsense(value):
    with pytest.raises(ValueError, match="20/60"):
        parse_rate(value)


def test_window_allows_count_then_refuses_until_the_oldest_leaves():
    clock = Clock()
    window = MemoryWindow(Rate(3, 60), clock=clock)
    assert hits(window, "a", 3) == [True, True, True]
    clock.now += 10
    [refused] = [asyncio.run(window.hit("a"))]
    assert not refused.allowed and refused.retry_after == pytest.approx(50)
    assert hits(window, "b", 1) == [True]  # another key is counted apart
    clock.now += 49.9
    assert hits(window, "a", 1) == [False]  # refused messages are not counted...
    clock.now += 0.2
    assert hits(window, "a", 2) == [True, True]  # ...so the window slides as soon as the first three age


def test_sliding_not_fixed_window():
    clock = Clock()
    window = MemoryWindow(Rate(2, 10), clock=clock)
    assert hits(window, "a", 1) == [True]
    clock.now += 9
    assert hits(window, "a", 2) == [True, False]
    clock.now += 1.5  # the first left the window, the second has not
    assert hits(window, "a", 2) == [True, False]


def test_reset_and_idle_keys_are_dropped():
    clock = Clock()
    window = MemoryWindow(Rate(1, 60), clock=clock)
    assert hits(window, "a", 2) == [True, False]
    window.reset("a")
    assert hits(window, "a", 1) == [True]
    for i in range(100):
        hits(window, f"visitor-{i}", 1)
    assert len(window) == 101
    clock.now += 61
    hits(window, "late", 1)
    assert len(window) == 1  # memory is bounded by the visitors of the last window


def test_limits_check_address_then_sender():
    clock = Clock()
    limits = Limits(MemoryWindow(Rate(2, 60), clock=clock), MemoryWindow(Rate(4, 60), clock=clock))

    async def go(sender, address):
        return (await limits.check(sender, address)).allowed

    results = [asyncio.run(go(s, "10.0.0.1")) for s in ["a", "a", "a", "b", "c"]]
    # a's third is over the sender limit (and still counts for its address); c is over the address one
    assert results == [True, True, False, True, False]
    assert asyncio.run(go("c", "10.0.0.2"))


def test_limits_from_settings():
    assert not Limits.from_settings(
        "rest", load({"PMO_RATE_LIMIT_PER_SENDER": "0", "PMO_RATE_LIMIT_PER_ADDRESS": "0"})
    ).on
    limits = Limits.from_settings("rest", load({}))
    assert limits.per_sender.rate == Rate(20, 60) and limits.per_address.rate == Rate(120, 60)
    assert isinstance(limits.per_sender, MemoryWindow) and limits.on
    # new socket.io connections: counted by address only, with the same setting
    connections = Limits.from_settings(
        "socketio-connect", load({"PMO_RATE_LIMIT_PER_ADDRESS": "4/60"}), per_sender=False
    )
    assert connections.per_sender is None and connections.per_address.rate == Rate(4, 60)
    assert not Limits.from_settings("socketio-connect", load({"PMO_RATE_LIMIT_PER_ADDRESS": "0"}), per_sender=False).on


def test_retry_after_is_whole_seconds_at_least_one():
    from bot.channels.limits import Decision

    assert retry_after_header(Decision(False, 0.2)) == "1"
    assert retry_after_header(Decision(False, 41.01)) == "42"


def test_max_body_bytes():
    assert load({}).max_body_bytes == DEFAULT_MAX_BODY_BYTES == 65536
    assert load({"PMO_MAX_BODY_BYTES": "100000"}).max_body_bytes == 100000
    for bad in ["12", "lots", "-5"]:
        with pytest.raises(ValueError):
            _ = load({"PMO_MAX_BODY_BYTES": bad}).max_body_bytes


PROXIES = parse_proxies("10.0.0.0/8, 192.168.1.7 ,::1")


@pytest.mark.parametrize(
    "peer,forwarded,client",
    [
        ("203.0.113.9", None, "203.0.113.9"),
        ("203.0.113.9", "1.2.3.4", "203.0.113.9"),  # not from a trusted proxy: the header is the client's word
        ("10.1.2.3", "198.51.100.7", "198.51.100.7"),
        ("10.1.2.3", "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # a forged left part is ignored
        ("10.1.2.3", "198.51.100.7, 192.168.1.7", "198.51.100.7"),  # two proxies in a row
        ("10.1.2.3", "garbage, 198.51.100.7", "198.51.100.7"),
        ("10.1.2.3", "198.51.100.7, garbage", "10.1.2.3"),
        ("10.1.2.3", "10.9.9.9", "10.9.9.9"),  # only proxies: the leftmost one vouched for
        ("::1", "2001:db8::5", "2001:db8::5"),
    ],
)
def test_client_address(peer, forwarded, client):
    assert client_address(peer, forwarded, PROXIES) == client


def test_parse_proxies():
    assert parse_proxies("") == () and parse_proxies(None) == ()
    assert parse_proxies("10.0.0.1") == (ipaddress.ip_network("10.0.0.1/32"),)  # a tuple: settings are frozen
    with pytest.raises(ValueError, match="PMO_TRUSTED_PROXIES"):
        parse_proxies("10.0.0.0/8, proxy.internal")


def redis_url() -> str:
    """The tests' Redis (the machine's, or a throwaway one: harness/throwaway.py); required, never skipped."""
    from harness import services

    services.require_redis()
    return services.redis_url()


def test_redis_window_is_shared_and_slides():
    clock = Clock(1_700_000_000.0)
    prefix = f"pmo:test:{uuid.uuid4().hex}:"

    async def go():
        client = async_client(redis_url(), REDIS_TIMEOUT)
        try:
            one = RedisWindow(Rate(3, 60), client, prefix=prefix, clock=clock)
            two = RedisWindow(Rate(3, 60), client, prefix=prefix, clock=clock)  # another replica
            seen = [(await one.hit("s:a")).allowed, (await two.hit("s:a")).allowed, (await one.hit("s:a")).allowed]
            clock.now += 20
            refused = await two.hit("s:a")
            other = await two.hit("s:b")
            ttl = await client.pttl(prefix + "s:a")
            clock.now += 40.5
            again = await one.hit("s:a")
            await one.reset("s:a")
            after_reset = [(await one.hit("s:a")).allowed for _ in range(3)]
            await client.delete(prefix + "s:a", prefix + "s:b")
            return seen, refused, other, ttl, again, after_reset
        finally:
            await client.close()

    seen, refused, other, ttl, again, after_reset = asyncio.run(go())
    assert seen == [True, True, True]
    assert not refused.allowed and refused.retry_after == pytest.approx(40, abs=0.01)
    assert other.allowed
    assert 0 < ttl <= 60_000  # keys expire: Redis keeps nothing for idle visitors
    assert again.allowed
    assert after_reset == [True, True, True]


def test_redis_failure_lets_messages_through_and_backs_off():
    monotonic = Clock(0.0)
    calls = []

    class Broken:
        def register_script(self, _):
            async def script(**kwargs):
                calls.append(kwargs)
                import redis

                raise redis.ConnectionError("down")

            return script

    window = RedisWindow(Rate(1, 60), Broken(), monotonic=monotonic)
    assert hits(window, "a", 3) == [True, True, True]
    assert len(calls) == 1  # Redis is left alone for a while after an error
    monotonic.now += 6
    assert hits(window, "a", 1) == [True] and len(calls) == 2


def test_hung_redis_costs_at_most_the_short_timeout():
    import time

    from harness.stubs import hung_server

    async def go(port: int):
        client = async_client(f"redis://127.0.0.1:{port}/0", REDIS_TIMEOUT)  # accepts the connection, never answers
        try:
            start = time.monotonic()
            decision = await RedisWindow(Rate(1, 60), client).hit("a")
            return decision, time.monotonic() - start
        finally:
            await client.close()

    with hung_server() as port:
        decision, took = asyncio.run(go(port))
    assert decision.allowed and took < 1.5


def test_max_text_chars_is_defined_once():
    """Every channel cuts a message at the one ``MAX_TEXT_CHARS`` in ``bot.channels.limits``."""
    import ast
    from pathlib import Path

    import bot.channels.limits as limits

    found = []
    for module in sorted(Path(limits.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id == "MAX_TEXT_CHARS" for t in targets):
                    found.append(module.name)
    assert found == ["limits.py"]
