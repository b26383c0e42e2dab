"""The sender's pace on a simulated clock: the rate in any second, replies first, a broadcast spread over the second."""

import itertools
import random

import pytest

from mp15_grievance.tools.sending_pace import SendingPace


class Clock:
    """``time.monotonic`` and ``time.sleep`` of a simulated second hand; ``frozen`` ignores sleeping too."""

    def __init__(self, frozen=False):
        self.now, self.frozen = 1000.0, frozen

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        assert seconds > 0
        if not self.frozen:
            self.now += seconds


def run(rate, seconds, *, batch_cost=0.01, replies_per_second=0.0, replies_at_start=0, broadcast=10**9, seed=7):
    """The sender's loop (``_send_account_queue``) against the pace: returns the batches as
    (taken at, replies, broadcast messages) and each reply's wait from its arrival to its batch."""
    clock = Clock()
    pace = SendingPace(rate, 0.1, clock=clock, sleep=clock.sleep)
    arrivals = random.Random(seed)
    next_reply = clock.now + (arrivals.expovariate(replies_per_second) if replies_per_second else seconds + 1)
    end = clock.now + seconds
    waiting, batches, waits = [clock.now] * replies_at_start, [], []
    broadcast_waiting = True
    while clock.now < end:
        pace.wait(broadcast_waiting)
        while next_reply <= clock.now:
            waiting.append(next_reply)
            next_reply += arrivals.expovariate(replies_per_second)
        replies, waiting = waiting[: pace.room()], waiting[pace.room() :]
        taken = min(pace.broadcast_room(len(replies)), broadcast) if broadcast_waiting else 0
        broadcast -= taken
        broadcast_waiting = bool(taken)
        if not replies and not taken:
            if broadcast_waiting or broadcast:
                broadcast_waiting = bool(broadcast)
                continue
            break
        pace.taken(len(replies) + taken)
        batches.append((clock.now, len(replies), taken))
        waits += [clock.now - arrived for arrived in replies]
        clock.now += batch_cost
    return batches, waits


def most_in_a_second(batches):
    return max(sum(r + b for at, r, b in batches if start <= at < start + 1) for start, _r, _b in batches)


def sent_per_second(batches):
    sent = sum(r + b for _at, r, b in batches[:-1])
    return sent / (batches[-1][0] - batches[0][0])


def test_a_broadcast_goes_out_in_slices_spread_over_the_second_at_the_rate():
    batches, _waits = run(40, 10)
    assert {broadcast for _at, _r, broadcast in batches} == {4}, "a tenth of the rate at a time"
    gaps = {round(later[0] - earlier[0], 6) for earlier, later in itertools.pairwise(batches)}
    assert gaps == {0.1}
    assert sent_per_second(batches) == pytest.approx(40)
    assert most_in_a_second(batches) == 40


def test_a_reply_goes_with_the_next_slice_and_the_broadcast_gives_it_its_share():
    batches, waits = run(40, 60, replies_per_second=10)
    assert len(waits) > 500
    waits.sort()
    assert waits[int(0.95 * len(waits))] <= 0.1, "one slice"
    assert waits[-1] < 0.2, "more than a slice of replies at once take the next slices too, never the second"
    assert most_in_a_second(batches) <= 40, "replies count in the rate"
    replies = sum(r for _at, r, _b in batches)
    broadcast = sum(b for _at, _r, b in batches)
    assert replies + broadcast == pytest.approx(40 * 60, rel=0.01), "the broadcast takes what the replies leave"


def test_replies_may_use_the_whole_rate_at_once_then_wait_for_the_second():
    batches, _waits = run(40, 3, replies_at_start=100, broadcast=0)
    assert [replies for _at, replies, _b in batches] == [40, 40, 20], "a burst of replies goes at once"
    assert [round(at - batches[0][0], 6) for at, _r, _b in batches] == [0, 1, 2], "then the second must pass"


@pytest.mark.parametrize("batch_cost", [0.12, 0.15])
def test_a_broadcast_slower_to_send_than_its_slices_catches_up_within_the_rate(batch_cost):
    batches, _waits = run(40, 30, batch_cost=batch_cost)
    assert max(broadcast for _at, _r, broadcast in batches) > 4, "bigger slices"
    assert sent_per_second(batches) >= 0.9 * 40
    assert most_in_a_second(batches) <= 40


@pytest.mark.parametrize(("rate", "slice_messages", "gap"), [(1, 1, 1.0), (5, 1, 0.2), (80, 8, 0.1), (1000, 100, 0.1)])
def test_each_rate_is_kept_whatever_its_slice(rate, slice_messages, gap):
    batches, _waits = run(rate, 5)
    assert {broadcast for _at, _r, broadcast in batches} == {slice_messages}
    assert batches[1][0] - batches[0][0] == pytest.approx(gap)
    assert most_in_a_second(batches) == rate


def test_a_frozen_clock_still_moves_on_with_each_wait():
    clock = Clock(frozen=True)  # freezegun: time.monotonic stands still, time.sleep still sleeps
    pace = SendingPace(5, 0.1, clock=clock, sleep=clock.sleep)
    taken = looks = 0
    for _batch in range(20):
        while not (room := pace.broadcast_room(0)):
            pace.wait(broadcast_waiting=True)
            looks += 1
        pace.taken(room)
        taken += room
    assert taken == 20
    assert looks == 19
    assert pace.now() == pytest.approx(clock.now + 19 * 0.2)
