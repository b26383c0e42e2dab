from mp15_grievance.tools import locks


def test_the_sla_run_and_the_senders_never_share_a_lock():
    """They once did (SLA run = (ns, 1), sender of account 1 = (ns, 1)): each blocked the other."""
    sender_keys = {locks.sending(account_id) for account_id in range(1, 10_000)}
    assert locks.SLA_RUN not in sender_keys
    assert len(sender_keys) == 9_999
