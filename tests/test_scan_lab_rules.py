"""The rules behind the lab's behaviours, fed with chosen outcomes: the congestion
window and the per-host book of round trips, loss and signs of life."""

from __future__ import annotations

import random

import pytest

from portkit._probe._hosts import MAX_TRIES, SILENT_LIMIT, HostBook, tries_for_loss
from portkit._probe._limits import Pressure, Window


@pytest.mark.anyio
async def test_random_loss_never_shrinks_the_window() -> None:
    pressure = Pressure(1024)
    window = Window(pressure)
    assert pressure.maximum == Window.START
    rng = random.Random(1)
    for _ in range(20_000):
        window.completed(True, rng.random() < 0.06)
    assert window.cuts == 0
    assert pressure.maximum == 1024


@pytest.mark.anyio
async def test_a_surge_of_lost_answers_halves_the_window_within_its_ceiling() -> None:
    pressure = Pressure(512)
    window = Window(pressure)
    for _ in range(5_000):
        window.completed(True, False)
    assert pressure.maximum == 512
    for _ in range(200):
        window.completed(True, True)
    assert window.cuts >= 1
    assert Window.FLOOR <= pressure.maximum <= 256
    # Answers come back: the window grows again, never past the ceiling.
    for _ in range(200_000):
        window.completed(True, False)
    assert pressure.maximum == 512


@pytest.mark.anyio
async def test_silence_from_dead_space_grows_the_window() -> None:
    pressure = Pressure(1024)
    window = Window(pressure)
    for _ in range(2_000):
        window.completed(False, False)
    assert pressure.maximum == 1024


def test_tries_follow_the_loss_estimate_up_to_the_ceiling() -> None:
    assert tries_for_loss(0.0) == 1
    assert tries_for_loss(0.01) == 2
    assert tries_for_loss(0.06) == 4
    assert tries_for_loss(0.5) > MAX_TRIES
    book = HostBook(low=0.1, high=1.0, retries=None)
    for port in range(100):
        book.answer("192.0.2.1", 2 if port % 10 == 0 else 1, 0.05)
    assert book.tries("192.0.2.1") == 4  # 10% of answers came late: 0.1 ** 4 <= 1e-4
    for _ in range(100):
        book.answer("192.0.2.1", 4, 0.05)
    assert book.tries("192.0.2.1") == MAX_TRIES


def test_silent_addresses_wait_the_scan_timeout_seeded_from_other_hosts() -> None:
    book = HostBook(low=0.1, high=2.0, retries=None)
    # Nothing heard yet: a short first try, the last one (the second) in full.
    assert book.timeout("192.0.2.9") == 0.5
    assert book.timeout("192.0.2.9", 2) == 2.0
    assert HostBook(low=0.1, high=2.0, retries=0).timeout("192.0.2.9") == 2.0
    for _ in range(50):
        book.answer("192.0.2.1", 1, 0.04)
    seeded = book.timeout("192.0.2.9")
    assert 0.1 <= seeded < 0.2
    assert book.timeout("192.0.2.9", 2) == pytest.approx(2 * seeded)
    assert book.timeout("192.0.2.9", 9) == 2.0


def test_a_host_silent_on_enough_ports_gets_one_try_until_it_answers() -> None:
    book = HostBook(low=0.1, high=1.0, retries=None)
    for _ in range(SILENT_LIMIT - 1):
        book.silence("192.0.2.7")
    assert book.tries("192.0.2.7") == 2
    book.silence("192.0.2.7")
    assert book.presumed_down("192.0.2.7")
    assert book.tries("192.0.2.7") == 1
    book.answer("192.0.2.7", 1, 0.05)
    assert not book.presumed_down("192.0.2.7")
    assert book.tries("192.0.2.7") == 2


def test_explicit_retries_fix_the_tries() -> None:
    book = HostBook(low=0.1, high=1.0, retries=3)
    for _ in range(SILENT_LIMIT):
        book.silence("192.0.2.7")
    assert book.tries("192.0.2.7") == 4
