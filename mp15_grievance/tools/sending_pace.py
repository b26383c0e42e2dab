"""The sender's pace: at most an account's rate in any second, replies first, a broadcast spread over the second."""

import time
from collections import deque


class SendingPace:
    """How many messages the sender may take now for one account, and how long it waits before its next batch.

    Never more than ``rate`` messages in any second (a sliding window over the batches, kept between runs).
    Replies and grievance updates may use all of it at once. A broadcast only takes what the rate
    has earned since the previous batch, less the replies that batch takes: it goes out in slices
    of about ``slice_seconds`` spread over the second, so a reply queued while a broadcast is
    being paced goes with the next slice instead of after the rest of the second (more replies
    than a slice at once take the slices after it, ahead of the broadcast).

    ``clock`` and ``sleep`` are ``time.monotonic`` and ``time.sleep``; the pace's own time moves
    on with each wait even when the clock stands still (tests that freeze time).
    """

    def __init__(self, rate, slice_seconds, *, clock=time.monotonic, sleep=time.sleep):
        self.rate = max(1, rate)
        self.slice = max(1, round(self.rate * slice_seconds))  # messages
        self.slice_seconds = self.slice / self.rate
        self._clock, self._sleep = clock, sleep
        self._now = clock()
        self._window = deque()  # (taken at, messages) of the batches of the last second
        self._in_window = 0
        self._earned_since = self._now - self.slice_seconds  # the first batch may take one slice

    def now(self):
        self._now = max(self._now, self._clock())
        return self._now

    def room(self):
        """How many messages may be taken now without passing the rate in the last second."""
        now = self.now()
        while self._window and self._window[0][0] + 1 <= now:
            self._in_window -= self._window.popleft()[1]
        return self.rate - self._in_window

    def earned(self):
        """Messages the rate earned since the last batch; unused rate is kept for two slices at most."""
        now = self.now()
        self._earned_since = max(self._earned_since, now - 2 * self.slice_seconds)
        return int((now - self._earned_since) * self.rate + 1e-6)

    def broadcast_room(self, replies):
        """How many broadcast messages may join a batch that takes ``replies`` replies and updates: none
        until a slice is earned."""
        earned = self.earned()
        if earned < self.slice:
            return 0
        return max(0, min(self.room(), earned) - replies)

    def taken(self, messages):
        """Count a batch, when it is taken."""
        self._window.append((self.now(), messages))
        self._in_window += messages
        self._earned_since += messages / self.rate

    def wait(self, broadcast_waiting):
        """Before the next batch: wait while the last second used the whole rate; while a broadcast waits
        for its next slice to be earned, wait for it, a slice at most (then look for replies again)."""
        if self.room() <= 0:
            self._wait_until(self._window[0][0] + 1)
        elif broadcast_waiting and self.earned() < self.slice:
            self._wait_until(min(self._earned_since + self.slice_seconds, self.now() + self.slice_seconds))

    def _wait_until(self, moment):
        delay = moment - self.now()
        if delay > 0:
            self._sleep(delay)
        self._now = max(self._now, moment)
