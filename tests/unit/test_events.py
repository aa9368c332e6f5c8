"""One contract suite for every change feed: in process and over a real Redis."""

from __future__ import annotations

import asyncio
import secrets
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator

import pytest
import redis

from tonearm.events import ChangeFeed, Closed, Event, MemoryFeed, RedisFeed, Subscription

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


REDIS = redis_available()
needs_redis = pytest.mark.skipif(not REDIS, reason="Redis is not reachable on 127.0.0.1:6379")

MakeFeed = Callable[[], ChangeFeed]


@pytest.fixture(params=["memory", pytest.param("redis", marks=needs_redis)])
def make_feed(request: pytest.FixtureRequest) -> Iterator[MakeFeed]:
    """Feeds that share one bus: the same memory feed, or Redis feeds on one channel
    of this test's own (so tests running side by side do not hear each other)."""
    channel = f"tonearm:test:{secrets.token_hex(6)}"
    shared = MemoryFeed()
    made: list[ChangeFeed] = []

    def make() -> ChangeFeed:
        feed: ChangeFeed = (
            shared if request.param == "memory" else RedisFeed(REDIS_URL, channel=channel)
        )
        made.append(feed)
        return feed

    yield make
    for feed in made:
        feed.close()


async def drain(sub: Subscription, count: int, timeout: float = 5.0) -> list[Event]:
    got: list[Event] = []
    while len(got) < count:
        event = await sub.get(timeout)
        assert event is not None, f"only {len(got)} of {count} events arrived: {got}"
        got.append(event)
    return got


def test_a_subscriber_receives_what_is_published_after_it_subscribed_in_order(
    make_feed: MakeFeed,
) -> None:
    feed = make_feed()

    async def go() -> list[Event]:
        sub = await feed.subscribe()
        for i in range(5):
            feed.publish(Event("track", {"id": str(i), "action": "created"}))
        try:
            return await drain(sub, 5)
        finally:
            sub.close()

    got = asyncio.run(go())
    assert [e.data["id"] for e in got] == ["0", "1", "2", "3", "4"]
    assert {e.topic for e in got} == {"track"}


def test_publishers_in_other_threads_reach_every_subscriber(make_feed: MakeFeed) -> None:
    feed = make_feed()

    async def go() -> tuple[list[Event], list[Event]]:
        one, two = await feed.subscribe(), await feed.subscribe()
        threads = [
            threading.Thread(target=feed.publish, args=(Event("queue", {"version": n}),))
            for n in range(3)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        try:
            return await drain(one, 3), await drain(two, 3)
        finally:
            one.close()
            two.close()

    first, second = asyncio.run(go())
    assert sorted(e.data["version"] for e in first) == [0, 1, 2]
    assert sorted(e.data["version"] for e in second) == [0, 1, 2]


def test_nothing_arrives_within_the_timeout_when_nothing_was_published(
    make_feed: MakeFeed,
) -> None:
    feed = make_feed()

    async def go() -> Event | None:
        sub = await feed.subscribe()
        try:
            return await sub.get(0.2)
        finally:
            sub.close()

    assert asyncio.run(go()) is None


def test_a_subscriber_that_falls_behind_is_ended_and_the_others_are_not(
    make_feed: MakeFeed,
) -> None:
    feed = make_feed()

    async def go() -> tuple[list[Event], bool]:
        slow = await feed.subscribe(max_pending=2)
        fast = await feed.subscribe(max_pending=100)
        for i in range(10):
            feed.publish(Event("track", {"id": str(i)}))
        got = await drain(fast, 10)
        ended = False
        try:
            while await slow.get(1.0) is not None:
                pass
        except Closed:
            ended = True
        slow.close()
        fast.close()
        return got, ended

    got, ended = asyncio.run(go())
    assert len(got) == 10
    assert ended


def test_close_ends_every_subscription(make_feed: MakeFeed) -> None:
    feed = make_feed()

    async def go() -> str:
        sub = await feed.subscribe()
        waiting = asyncio.create_task(sub.get(30))
        await asyncio.sleep(0.05)
        await asyncio.to_thread(feed.close)
        try:
            await asyncio.wait_for(waiting, 5)
        except Closed as exc:
            return str(exc)
        return "not closed"

    assert asyncio.run(go()) != "not closed"


def test_a_closed_subscription_hears_nothing_more(make_feed: MakeFeed) -> None:
    feed = make_feed()

    async def go() -> None:
        sub = await feed.subscribe()
        sub.close()
        feed.publish(Event("track", {"id": "x"}))
        with pytest.raises(Closed):
            await sub.get(0.2)

    asyncio.run(go())


@needs_redis
def test_two_redis_feeds_receive_one_publish_made_by_another_process() -> None:
    channel = f"tonearm:test:{secrets.token_hex(6)}"
    one, two = RedisFeed(REDIS_URL, channel=channel), RedisFeed(REDIS_URL, channel=channel)
    publisher = (
        "from tonearm.events import Event, RedisFeed;"
        f"RedisFeed({REDIS_URL!r}, channel={channel!r}).publish(Event('track', {{'id': 'p'}}))"
    )

    async def go() -> tuple[list[Event], list[Event]]:
        a, b = await one.subscribe(), await two.subscribe()
        await asyncio.to_thread(subprocess.run, [sys.executable, "-c", publisher], check=True)
        return await drain(a, 1), await drain(b, 1)

    try:
        first, second = asyncio.run(go())
    finally:
        one.close()
        two.close()
    assert first == second == [Event("track", {"id": "p"})]


def test_redis_publish_survives_a_server_that_is_not_there() -> None:
    feed = RedisFeed("redis://127.0.0.1:1/0")
    feed.publish(Event("track", {"id": "lost"}))  # logged, not raised
    feed.close()
